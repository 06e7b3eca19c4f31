namespace GlobalUpgrade.Remote;

/// <summary>What one kind of detached run (image sync, upgrade trigger) says about its progress in its log.</summary>
public interface IRunProgressParser
{
    /// <summary>The percentage done the newest lines tell, or -1 when they tell none.</summary>
    int PercentComplete(IReadOnlyList<string> lastLines);
}

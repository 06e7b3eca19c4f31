using System.Management.Automation;
using GlobalUpgrade.Reporting;

namespace GlobalUpgrade.Commands.Infrastructure;

internal static class ProgressExtensions
{
    public static ProgressRecord ToRecord(this OperationProgress progress)
    {
        var status = progress.Elapsed is { } elapsed ? $"{progress.Status} ({elapsed:hh\\:mm\\:ss} so far)" : progress.Status;
        return new ProgressRecord(progress.ActivityId, progress.Activity, string.IsNullOrEmpty(status) ? " " : status)
        {
            PercentComplete = Math.Clamp(progress.PercentComplete, -1, 100),
            CurrentOperation = progress.CurrentOperation,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
    }
}

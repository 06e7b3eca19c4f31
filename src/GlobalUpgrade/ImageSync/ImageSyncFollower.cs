using System.Management.Automation;
using GlobalUpgrade.Commands.Infrastructure;
using GlobalUpgrade.Errors;
using GlobalUpgrade.ImageSync;
using GlobalUpgrade.Remote;

namespace GlobalUpgrade.Commands.ImageSync;

/// <summary>
/// Follows several runs at once: the engine work runs concurrently off the pipeline thread (its progress is
/// queued by the base class); results and errors are written here, on the pipeline thread.
/// </summary>
internal static class ImageSyncFollower
{
    public sealed record Item(ImageSyncRun Run, RemoteTarget Target, FollowOptions Options);

    public sealed record Outcome(ImageSyncRun Run, GlobalUpgradeException? Failure);

    public static void FollowAll(GlobalUpgradeCmdlet cmdlet, IReadOnlyList<Item> items, Func<Func<CancellationToken, Task<Outcome[]>>, Outcome[]> run, ImageSyncStore store, RemoteSessions sessions)
    {
        if (items.Count == 0)
        {
            return;
        }

        var outcomes = run(ct => Task.WhenAll(items.Select(async item =>
        {
            try
            {
                return new Outcome(await ImageSyncService.FollowAsync(item.Run, item.Target, item.Options, store, ct, sessions).ConfigureAwait(false), null);
            }
            catch (GlobalUpgradeException ex)
            {
                return new Outcome(item.Run, ex);
            }
        })));

        var failures = outcomes.Where(o => o.Failure is not null).ToList();
        foreach (var outcome in outcomes.Where(o => o.Failure is null))
        {
            cmdlet.WriteObject(outcome.Run);
        }

        // One error per failed run; the last one terminates, so a failed sync never passes unnoticed.
        for (var i = 0; i < failures.Count; i++)
        {
            var record = GlobalUpgradeCmdlet.ToErrorRecord(failures[i].Failure!, failures[i].Run);
            if (i < failures.Count - 1)
            {
                cmdlet.WriteError(record);
            }
            else
            {
                cmdlet.ThrowTerminatingError(record);
            }
        }
    }
}

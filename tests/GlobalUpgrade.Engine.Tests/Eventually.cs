using Xunit;

namespace GlobalUpgrade.Tests;

/// <summary>
/// Waits for something a test cannot subscribe to (a process gone, a request in flight, a file written): checks
/// often, fails with what it waited for once the bound passes. The bound is for a loaded 2-core machine, never a
/// timing the test relies on.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, bound);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? DefaultBound);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}

using System.Diagnostics;
using System.Globalization;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Where a comparison's time goes from a cold start, for the benchmark: with GLOBALUPGRADE_ETCD_TRACE=1 each step
/// writes "trace &lt;ms since the process started&gt; &lt;step&gt;" to stderr. Off (the default) a step costs one test.
/// </summary>
internal static class EtcdTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("GLOBALUPGRADE_ETCD_TRACE") == "1";
    private static readonly DateTime ProcessStarted = Enabled ? Process.GetCurrentProcess().StartTime : default;

    public static void Mark(string step)
    {
        if (Enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trace {(DateTime.Now - ProcessStarted).TotalMilliseconds:0.0} {step}"));
        }
    }
}

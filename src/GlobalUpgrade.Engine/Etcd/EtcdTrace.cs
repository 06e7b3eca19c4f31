using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace GlobalUpgrade.Etcd;

/// <summary>
/// Where a comparison's time goes from a cold start, for the benchmark: with GLOBALUPGRADE_ETCD_TRACE=1 each step
/// writes "trace &lt;ms since the process started&gt; &lt;methods JIT-compiled&gt; &lt;ms spent compiling&gt; &lt;step&gt;" to
/// stderr. The two JIT figures count the whole process so far (every thread, pwsh's own code too). The method count
/// does not change with the machine's load, so it tells what code generation a step cost (and whether precompiled
/// code was used) even on a busy machine; the JIT time stretches with load like any elapsed time. Off (the default)
/// a step costs one test.
/// </summary>
internal static class EtcdTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("GLOBALUPGRADE_ETCD_TRACE") == "1";
    private static readonly DateTime ProcessStarted = Enabled ? Process.GetCurrentProcess().StartTime : default;

    public static void Mark(string step)
    {
        if (Enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trace {(DateTime.Now - ProcessStarted).TotalMilliseconds:0.0} {JitInfo.GetCompiledMethodCount()} {JitInfo.GetCompilationTime().TotalMilliseconds:0.0} {step}"));
        }
    }
}

using System.Runtime.InteropServices;
using GlobalUpgrade.Simulator;

// The console entry point: start, print "READY <kubeconfig>", run until SIGTERM/Ctrl+C or stdin closes.
var options = new SimulatorOptions();
var watchStdin = true;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--dr": options.Dr = true; break;
        case "--kubeconfig": options.KubeconfigPath = Next(); break;
        case "--scenario": options.Scenario = Next(); break;
        case "--snapshot": options.SnapshotPath = Next(); break;
        case "--time-scale": options.TimeScale = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--watch-history": options.WatchHistoryLimit = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--ignore-stdin": watchStdin = false; break;
        case "-h" or "--help":
            Console.WriteLine("usage: GlobalUpgrade.Simulator [--dr] --kubeconfig <path> [--scenario <name|path> | --snapshot <file>] [--time-scale <x>] [--watch-history <events>] [--ignore-stdin]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

if (string.IsNullOrEmpty(options.KubeconfigPath))
{
    Console.Error.WriteLine("--kubeconfig <path> is required");
    return 2;
}

using var done = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    done.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    done.Cancel();
});

AcpSimulator started;
try
{
    started = await AcpSimulator.StartAsync(options, done.Token);
}
catch (InvalidDataException ex)
{
    // A snapshot or scenario it cannot read: say why, not a stack trace.
    Console.Error.WriteLine(ex.Message);
    return 2;
}

await using var sim = started;
Console.Out.WriteLine($"READY {sim.KubeconfigPath}");
Console.Out.Flush();

// A parent process that dies closes our stdin (a pipe); /dev/null or a file (a background job) is ignored.
if (watchStdin && StdinIsWatchable())
{
    // A dedicated thread: the blocking read must not hold a thread-pool thread for the whole run.
    new Thread(() =>
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (stdin.Read(buffer, 0, buffer.Length) > 0)
        {
        }

        done.Cancel();
    })
    { IsBackground = true, Name = "stdin-watch" }.Start();
}

try
{
    await Task.Delay(Timeout.Infinite, done.Token);
}
catch (OperationCanceledException)
{
}

await sim.StopAsync();
return 0;

static bool StdinIsWatchable()
{
    try
    {
        var target = new FileInfo("/proc/self/fd/0").LinkTarget;
        return target is null || target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal)
            || target.StartsWith("/dev/pts/", StringComparison.Ordinal) || target.StartsWith("/dev/tty", StringComparison.Ordinal);
    }
    catch (IOException)
    {
        return true;
    }
}

using System.Diagnostics;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using GlobalUpgrade.Errors;
using GlobalUpgrade.Kubernetes;

namespace GlobalUpgrade.Rehearsal;

/// <summary>
/// The simulator program started from a snapshot, as a child process with its own kubeconfig in a private folder.
/// The module never loads the simulator: it is a program found by -SimulatorPath, GLOBALUPGRADE_SIMULATOR or the
/// copy shipped in the module's Simulator/ folder. Disposing stops it (closing its stdin stops it even if we die).
/// The simulator only seeds the snapshot's objects and serves them: what the snapshot lacks is judged here
/// (<see cref="SnapshotFindings"/>), and what the rehearsal needs done on its platform is asked of it through its
/// admin API once it is ready, with the kubeconfig it wrote (its server, CA and token), as the tests reach it.
/// </summary>
public sealed class RehearsalSimulator : IDisposable
{
    public const string EnvironmentVariable = "GLOBALUPGRADE_SIMULATOR";
    private const string ProgramName = "GlobalUpgrade.Simulator.dll";
    private readonly Process process;

    private RehearsalSimulator(Process process, string kubeconfigPath, IReadOnlyList<RehearsalFinding> findings)
    {
        this.process = process;
        KubeconfigPath = kubeconfigPath;
        Findings = findings;
    }

    public string KubeconfigPath { get; }

    /// <summary>What the snapshot lacks for the target, and what the rehearsal did about it on the simulator.</summary>
    public IReadOnlyList<RehearsalFinding> Findings { get; }

    /// <summary>The simulator program: the explicit path, else the environment variable, else the module's copy.</summary>
    public static string Locate(string? explicitPath, string moduleDirectory)
    {
        var candidates = new[]
        {
            (explicitPath, "-SimulatorPath"),
            (Environment.GetEnvironmentVariable(EnvironmentVariable), $"${EnvironmentVariable}"),
            (Path.Combine(moduleDirectory, "Simulator", ProgramName), "the module's Simulator folder"),
        };
        foreach (var (path, source) in candidates)
        {
            if (string.IsNullOrEmpty(path))
            {
                continue;
            }

            if (File.Exists(path))
            {
                return Path.GetFullPath(path);
            }

            if (source != "the module's Simulator folder")
            {
                throw NotFound($"The simulator given by {source} ('{path}') does not exist. Point it at {ProgramName} (out/simulator after ./build.ps1 -Task Build).");
            }
        }

        throw NotFound($"No simulator to rehearse on: pass -SimulatorPath <path to {ProgramName}> or set ${EnvironmentVariable}; the module ships one under Simulator/ when built with ./build.ps1.");
    }

    public static async Task<RehearsalSimulator> StartAsync(string simulatorPath, RehearsalSnapshot snapshot, string targetVersion, string workDirectory, double timeScale, TimeSpan startTimeout, CancellationToken ct)
    {
        var kubeconfig = Path.Combine(workDirectory, "rehearsal.kubeconfig");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var argument in new[] { simulatorPath, "--kubeconfig", kubeconfig, "--snapshot", snapshot.Path, "--time-scale", timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        // The simulator must not inherit the operator's kubeconfig: nothing in the rehearsal may reach a real cluster.
        info.Environment.Remove("KUBECONFIG");
        var process = Process.Start(info) ?? throw Failed("The simulator did not start.");
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(startTimeout);
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            while (line is not null && !line.StartsWith("READY ", StringComparison.Ordinal));

            if (line is null)
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
                string text;
                lock (errors)
                {
                    text = string.Join(" ", errors.TakeLast(5));
                }

                throw Failed($"The simulator stopped before it was ready (exit code {process.ExitCode}): {text}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Stop(process);
            throw Failed($"The simulator was not ready within {startTimeout.TotalSeconds:0} s.");
        }
        catch
        {
            Stop(process);
            throw;
        }

        try
        {
            foreach (var act in SnapshotFindings.Acts(snapshot, targetVersion))
            {
                await AskAsync(kubeconfig, act, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            Stop(process);
            throw;
        }

        return new RehearsalSimulator(process, kubeconfig, SnapshotFindings.Of(snapshot, targetVersion));
    }

    public void Dispose() => Stop(process);

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        process.Dispose();
    }

    /// <summary>POSTs <paramref name="act"/> to the admin API of its cluster, through the kubeconfig's context of that name (its CA verified, its token sent).</summary>
    private static async Task AskAsync(string kubeconfig, SimulatorAct act, CancellationToken ct)
    {
        var (client, _) = KubeClientFactory.Create(kubeconfig, act.Cluster);
        using var disposable = client;
        if (client is not k8s.Kubernetes kube)
        {
            throw new InvalidOperationException("the simulator's admin API needs the KubernetesClient implementation");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(kube.BaseUri, act.Path.TrimStart('/')))
        {
            Content = new StringContent(JsonSerializer.Serialize(act.Body), Encoding.UTF8, "application/json"),
        };
        if (kube.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
        }

        HttpResponseMessage response;
        try
        {
            response = await kube.HttpClient.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Failed($"The simulator did not answer {act}: {ex.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                throw Failed($"The simulator refused {act} ({(int)response.StatusCode}): {body}");
            }
        }
    }

    /// <summary>The dotnet host running us (under 'dotnet pwsh'), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static GlobalUpgradeException NotFound(string message) => new(ErrorIds.RehearsalSimulatorNotFound, FailureCategory.ObjectNotFound, message);

    private static GlobalUpgradeException Failed(string message) => new(ErrorIds.RehearsalSimulatorFailed, FailureCategory.ResourceUnavailable, message);
}

<#
.SYNOPSIS
    Compare-EtcdKeyspace against the script an administrator would write (etcdctl get --prefix --keys-only on each
    side to files, then sort and comm), on two real etcd servers with -Keys keys each, 1 % of them differing.
.DESCRIPTION
    Both etcd servers run on loopback with plain HTTP (TLS would cost both contenders the same handshake; the
    module's TLS path is covered by the tests). The runs are interleaved: baseline, module, baseline, module, …;
    the module runs in one warm pwsh session (imported and run once before measuring) and is timed with a
    Stopwatch; the baseline is timed by /usr/bin/time -v, which also gives its largest process's max RSS. The
    module's memory is the peak working set of its pwsh process (VmHWM), absolute and as growth over the working
    set after Import-Module. Then, as a user runs it, one fresh pwsh process starts, imports the module and compares
    once: its peak RSS (VmHWM of the whole process, read at its end) is the memory figure the goal is about. The
    load average is printed with every run. Writes <OutputPath>/EtcdCompare-<keys>-<shape>.md.
.PARAMETER KeyShape
    The keys: ConfigMaps (the default, ~50 bytes: /registry/configmaps/team-NNNN/app-config-NNNNNNNN) or EventLike
    (~120 bytes, named as Kubernetes names events, <deployment>-<10 chars>-<5 chars>.<16 hex>, eight per pod, but
    under a custom resource, /registry/monitoring.example.io/eventrecords/<namespace>/…, since /registry/events/ is
    excluded by default; namespaces and names from word lists, the hashes random-looking but a fixed function of
    the key's number, so every run fills the same keys).
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys = 200000, [int] $Runs = 5, [string] $OutputPath,
    [ValidateSet('ConfigMaps', 'EventLike')] [string] $KeyShape = 'ConfigMaps')
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Runs = [Math]::Max($Runs, 3)
foreach ($tool in '/usr/bin/etcd', '/usr/bin/etcdctl', '/usr/bin/time') {
    if (-not (Test-Path $tool)) { throw "$tool is missing: apt-get install etcd-server etcd-client time (./build.ps1 -Task Bootstrap does it as root)." }
}
Import-Module (Join-Path $PSScriptRoot '../pester/EtcdTestServer.psm1') -Force

# Fills etcd fast: transactions of 10,000 puts through etcd's JSON gateway, a few at a time.
if (-not ('GlobalUpgradeBench.EtcdFill' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
namespace GlobalUpgradeBench {
public static class EtcdFill {
    public static string Shape = "ConfigMaps";
    public static string Key(int i) => Shape == "EventLike" ? EventKey(i) : $"/registry/configmaps/team-{i % 1000:D4}/app-config-{i:D8}";

    static readonly string[] Tenants = { "payments", "identity", "logistics", "observability", "storefront", "analytics", "platform-core", "messaging" };
    static readonly string[] Apps = { "gateway-reconciler", "order-history-exporter", "session-token-refresher", "inventory-sync-worker", "metrics-aggregation-pipeline", "notification-dispatcher", "catalog-search-indexer", "ledger-consistency-checker" };
    const string Alphabet = "bcdfghjklmnpqrstvwxz2456789"; // Kubernetes' rand.String alphabet
    // SplitMix64: a bijection of the key's number, so the hashes look random and every key is distinct.
    static ulong Mix(ulong z) { z += 0x9E3779B97F4A7C15UL; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL; return z ^ (z >> 31); }
    static string Chars(ulong h, int n) { var c = new char[n]; for (var k = 0; k < n; k++) { c[k] = Alphabet[(int)(h % (ulong)Alphabet.Length)]; h /= (ulong)Alphabet.Length; } return new string(c); }
    // /registry/monitoring.example.io/eventrecords/<tenant>-team-NNN/<app>-<10>-<5>.<16 hex>: eight per pod, 300 namespaces.
    public static string EventKey(int i) {
        var pod = (ulong)(i / 8);
        var p = Mix(pod);
        var ns = (int)(p % 300);
        var app = Apps[(int)((p >> 20) % (ulong)Apps.Length)];
        return $"/registry/monitoring.example.io/eventrecords/{Tenants[ns % Tenants.Length]}-team-{ns:D3}/{app}-{Chars(Mix(pod / 4 + 7), 10)}-{Chars(p >> 24, 5)}.{Mix((ulong)i):x16}";
    }
    // The primary holds Key(i) for every i; the standby lacks every 100th and holds Key(i)+"-s" instead.
    public static string StandbyKey(int i) => i % 100 == 0 ? Key(i) + "-s" : Key(i);
    public static void Fill(string endpoint, int count, bool standby) {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        const int batch = 10000;
        var batches = Enumerable.Range(0, (count + batch - 1) / batch);
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, b => {
            var body = new StringBuilder("{\"success\":[");
            for (var i = b * batch; i < Math.Min(count, (b + 1) * batch); i++) {
                if (i > b * batch) body.Append(',');
                var key = standby ? StandbyKey(i) : Key(i);
                body.Append("{\"requestPut\":{\"key\":\"").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(key))).Append("\",\"value\":\"dg==\"}}");
            }
            body.Append("]}");
            // A busy etcd answers 503 now and then (raft proposals time out); puts are idempotent, so retry.
            for (var attempt = 1; ; attempt++) {
                using var response = http.PostAsync(endpoint + "/v3/kv/txn", new StringContent(body.ToString(), Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) break;
                if (attempt == 10) response.EnsureSuccessStatusCode();
                System.Threading.Thread.Sleep(1000 * attempt);
            }
        });
    }
}
}
'@
}

function Get-Median([double[]] $Values) { $s = $Values | Sort-Object; if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$timeGoal = if ($Keys -ge 1000000) { 0.6 } else { 0.5 }
$loads = $null
$work = Join-Path ([IO.Path]::GetTempPath()) "gu-etcd-bench-$PID"
$null = New-Item -ItemType Directory -Force $work
$servers = @()
try {
    $servers = @((Start-EtcdTestServer -Name bench-primary), (Start-EtcdTestServer -Name bench-standby))
    $primary, $standby = $servers.PlainEndpoint
    [GlobalUpgradeBench.EtcdFill]::Shape = $KeyShape
    $fill = [Diagnostics.Stopwatch]::StartNew()
    [GlobalUpgradeBench.EtcdFill]::Fill($primary, $Keys, $false)
    [GlobalUpgradeBench.EtcdFill]::Fill($standby, $Keys, $true)
    $sample = [GlobalUpgradeBench.EtcdFill]::Key(12345)
    Write-Host ("Filled two etcd servers with {0:N0} keys each ({1} shape, e.g. '{2}', {3} bytes) in {4:N1} s" -f $Keys, $KeyShape, $sample, $sample.Length, $fill.Elapsed.TotalSeconds)
    $expected = [Math]::Ceiling($Keys / 100)

    # The administrator's script: both sides to files (one after the other), sorted bytewise, compared with comm.
# etcdctl's default --command-timeout (5 s) is too short for a large keyspace in one range, hence 600s.
    $baseline = Join-Path $work 'baseline.sh'
    Set-Content $baseline @"
set -e
export ETCDCTL_API=3 LC_ALL=C
cd '$work'
etcdctl --command-timeout=600s --endpoints $primary get /registry/ --prefix --keys-only > primary.txt
etcdctl --command-timeout=600s --endpoints $standby get /registry/ --prefix --keys-only > standby.txt
sed '/^`$/d' primary.txt | sort > primary.sorted
sed '/^`$/d' standby.txt | sort > standby.sorted
comm -23 primary.sorted standby.sorted > missed.txt
comm -13 primary.sorted standby.sorted > surplus.txt
"@
    function Measure-Baseline {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $report = & /usr/bin/time -v bash $baseline 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The baseline failed: $report" }
        $ms = $watch.Elapsed.TotalMilliseconds
        $rss = [double](($report | Select-String 'Maximum resident set size \(kbytes\): (\d+)').Matches[0].Groups[1].Value) / 1024
        $missed = @(Get-Content (Join-Path $work 'missed.txt')).Count
        $surplus = @(Get-Content (Join-Path $work 'surplus.txt')).Count
        if ($missed -ne $expected -or $surplus -ne $expected) { throw "The baseline found $missed missed and $surplus surplus keys, not $expected each." }
        [pscustomobject]@{ Ms = $ms; RssMB = $rss }
    }

    # The module in one warm pwsh session: it reads a line per run from stdin and answers with one JSON line.
    $session = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
# Above 1,000,000 keys the 1 % differing passes -MaxKeys (10,000): the lists are cut, the counts stay whole, and the
# warning saying so would land on this child's stdout, which carries the results.
Import-Module '$ModulePath'
`$process = [Diagnostics.Process]::GetCurrentProcess()
[GC]::Collect(); `$process.Refresh()
`$afterImport = `$process.WorkingSet64
`$null = Compare-EtcdKeyspace -PrimaryEndpoint $primary -StandbyEndpoint $standby -TimeoutSec 600 -WarningAction SilentlyContinue   # warm-up
[Console]::Out.WriteLine('READY')
while ((`$line = [Console]::In.ReadLine()) -eq 'run') {
    `$watch = [Diagnostics.Stopwatch]::StartNew()
    `$diff = Compare-EtcdKeyspace -PrimaryEndpoint $primary -StandbyEndpoint $standby -TimeoutSec 600 -WarningAction SilentlyContinue
    `$ms = `$watch.Elapsed.TotalMilliseconds
    `$process.Refresh()
    [Console]::Out.WriteLine((@{ Ms = `$ms; Missed = `$diff.MissedCount; Surplus = `$diff.SurplusCount; PeakMB = `$process.PeakWorkingSet64 / 1MB; GrowthMB = (`$process.PeakWorkingSet64 - `$afterImport) / 1MB; AfterImportMB = `$afterImport / 1MB } | ConvertTo-Json -Compress))
}
"@
    $info = [Diagnostics.ProcessStartInfo]::new($Pwsh[0])
    foreach ($a in @($Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $session)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $child = [Diagnostics.Process]::Start($info)
    try {
        $ready = $child.StandardOutput.ReadLine()
        if ($ready -ne 'READY') { throw "The pwsh session did not start: $ready" }
        $null = Measure-Baseline  # warm etcdctl and the page cache the same way
        $base = [Collections.Generic.List[object]]::new()
        $module = [Collections.Generic.List[object]]::new()
        $loads = [Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt $Runs; $i++) {
            $base.Add((Measure-Baseline))
            $child.StandardInput.WriteLine('run')
            $result = $child.StandardOutput.ReadLine() | ConvertFrom-Json
            if ($result.Missed -ne $expected -or $result.Surplus -ne $expected) { throw "Compare-EtcdKeyspace found $($result.Missed) missed and $($result.Surplus) surplus keys, not $expected each." }
            $module.Add($result)
            $loads.Add((Get-Content /proc/loadavg).Split(' ')[0])
            Write-Host ("run {0}: baseline {1:N0} ms, Compare-EtcdKeyspace {2:N0} ms (load average {3})" -f ($i + 1), $base[-1].Ms, $result.Ms, $loads[-1])
        }
        $child.StandardInput.WriteLine('exit')
    }
    finally {
        if (-not $child.WaitForExit(10000)) { $child.Kill($true) }
    }

    # As a user runs it: a fresh pwsh process that starts, imports the module and compares once; its whole peak RSS.
    $fresh = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
`$diff = Compare-EtcdKeyspace -PrimaryEndpoint $primary -StandbyEndpoint $standby -TimeoutSec 600 -WarningAction SilentlyContinue
`$hwm = [double]((Get-Content /proc/self/status | Select-String '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value) / 1024
[Console]::Out.WriteLine((@{ Missed = `$diff.MissedCount; Surplus = `$diff.SurplusCount; PeakMB = `$hwm } | ConvertTo-Json -Compress))
"@
    $freshWatch = [Diagnostics.Stopwatch]::StartNew()
    $freshOutput = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $fresh
    $freshMs = $freshWatch.Elapsed.TotalMilliseconds
    $freshResult = $freshOutput | Select-Object -Last 1 | ConvertFrom-Json
    if ($freshResult.Missed -ne $expected -or $freshResult.Surplus -ne $expected) { throw "The fresh pwsh process found $($freshResult.Missed) missed and $($freshResult.Surplus) surplus keys, not $expected each." }
    $freshLoad = (Get-Content /proc/loadavg).Split(' ')[0]
    Write-Host ("fresh pwsh (start, import, compare): {0:N0} ms, peak RSS {1:N0} MB (load average {2})" -f $freshMs, $freshResult.PeakMB, $freshLoad)

    $baseMedian = Get-Median $base.Ms
    $moduleMedian = Get-Median $module.Ms
    $ratio = $moduleMedian / $baseMedian
    $peak = ($module | Measure-Object PeakMB -Maximum).Maximum
    $growth = ($module | Measure-Object GrowthMB -Maximum).Maximum
    $afterImport = $module[0].AfterImportMB
    $baseRss = ($base | Measure-Object RssMB -Maximum).Maximum
    $cpu = (Get-Content /proc/cpuinfo | Select-String '^model name\s*:\s*(.*)' | Select-Object -First 1).Matches.Groups[1].Value
    $runsText = (0..($base.Count - 1) | ForEach-Object { '{0:N0} / {1:N0}' -f $base[$_].Ms, $module[$_].Ms }) -join '; '
    $section = @"
### Compare-EtcdKeyspace vs etcdctl + sort + comm ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, {0:N0} keys per side, $KeyShape shape, 1 % differing, $Runs runs each, interleaved)
Keys like ``$sample`` ($($sample.Length) bytes).
Two etcd $((& /usr/bin/etcd --version | Select-Object -First 1) -replace '^etcd Version: ') servers on loopback, plain HTTP; $([Environment]::ProcessorCount) cores ($cpu); load average (1 min) after each run: $($loads -join ', '); after the fresh run: $freshLoad.
Both find {1:N0} missed and {1:N0} surplus keys.

| contender | median time | peak memory |
|---|---|---|
| baseline: ``etcdctl get /registry/ --prefix --keys-only`` on each side to files, then ``LC_ALL=C sort``, ``comm -23``/``comm -13`` | {2:N0} ms | {3:N0} MB max RSS (largest process, ``/usr/bin/time -v``) |
| ``Compare-EtcdKeyspace -PrimaryEndpoint … -StandbyEndpoint …`` (warm pwsh session, Stopwatch) | {4:N0} ms | {5:N0} MB peak working set of pwsh (+{6:N0} MB over the {7:N0} MB after Import-Module) |
| ratio | **{8:N2}×** (goal: ≤ {9}×, {10}) | |
| a fresh pwsh: start, ``Import-Module``, ``Compare-EtcdKeyspace`` once (as a user runs it) | {11:N0} ms | **{12:N0} MB** peak RSS of the whole process (goal: < 200 MB, {13}) |

Runs (baseline / module, ms): $runsText.

Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchName EtcdCompare -BenchKeys $Keys -BenchRuns $Runs -BenchKeyShape $KeyShape``

"@ -f $Keys, $expected, $baseMedian, $baseRss, $moduleMedian, $peak, $growth, $afterImport, $ratio, $timeGoal, $(if ($ratio -le $timeGoal) { 'met' } else { '**not met**' }), $freshMs, $freshResult.PeakMB, $(if ($freshResult.PeakMB -lt 200) { 'met' } else { '**not met**' })
    Set-Content (Join-Path $OutputPath "EtcdCompare-$Keys-$KeyShape.md") $section
    Write-Host $section
}
finally {
    $servers | Stop-EtcdTestServer
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

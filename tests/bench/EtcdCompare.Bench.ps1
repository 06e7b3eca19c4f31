<#
.SYNOPSIS
    Compare-EtcdKeyspace against the expert's shell pipeline and the floor, on two real etcd servers with -Keys keys
    each, 1 % of them differing.
.DESCRIPTION
    Five rows, interleaved (one of each per round), medians of -Runs rounds:
    - expert: LC_ALL=C comm -3 <(etcdctl get /registry/ --prefix --keys-only | grep .) <(… the standby …);
    - floor: both etcdctl reads in parallel into /dev/null (no comparison at all);
    - module cold: `pwsh -NoProfile -File` a script that imports the module and compares once, as a script runs it;
      its whole process's peak RSS (VmHWM) and, from GLOBALUPGRADE_ETCD_TRACE, where its time goes and how many
      methods the process JIT-compiled by each step, with the time spent compiling them (System.Runtime.JitInfo,
      process-wide): the method counts do not change with the machine's load (the JIT time does), so they show
      before the first page and during the reading what code generation cost, and whether a precompiled
      (ReadyToRun) build's code was used;
    - module warm: the same call a second time in one pwsh session (which cuts its requests where the session's
      earlier comparison of the pair found the keys);
    - module warm on a pair not compared before: the same session, -PageSize 10001, 10002, … (a layout is kept per
      page size, so none applies): what a session's first comparison of a pair costs once the code is compiled.
    Every run's missed and surplus key sets of the module (cold and both warm rows) are checked equal to the pipeline's.
    Each row's CPU time is measured too: both etcd servers' (what the reading costs the servers), and the module's own
    process's; after the rounds one more warm call with debug output gives the index entries etcd walked per side.
    Both etcd servers run on loopback with plain HTTP (TLS would cost every row the same handshake; the module's
    TLS path is covered by the tests). The load average is printed with every round, the commit and the date with
    the result. Writes <OutputPath>/EtcdCompare-<keys>-<shape>.md.
.PARAMETER OtherModulePath
    Another build of the module, run cold in every round after the module's own cold run (same script, same checks):
    a before/after of a build change in one run, under the same load.
.PARAMETER OtherEnvironment
    NAME=value pairs set for the other row's process only; without -OtherModulePath that row runs the module itself.
.PARAMETER KeyShape
    The keys: ConfigMaps (the default, ~50 bytes: /registry/configmaps/team-NNNN/app-config-NNNNNNNN) or EventLike
    (~120 bytes, named as Kubernetes names events, <deployment>-<10 chars>-<5 chars>.<16 hex>, eight per pod, but
    under a custom resource, /registry/monitoring.example.io/eventrecords/<namespace>/…, since /registry/events/ is
    excluded by default; namespaces and names from word lists, the hashes random-looking but a fixed function of
    the key's number, so every run fills the same keys) or GlobalLike (a global cluster's mix: a third events,
    leases and nodes, cluster roles, and 30 namespaced resources, built-in and custom, in 150 tenant namespaces and,
    for two in five objects, in the platform's namespaces the synchronizer leaves out — cpaas-system most of them).
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys = 200000, [int] $Runs = 5, [string] $OutputPath,
    [ValidateSet('ConfigMaps', 'EventLike', 'GlobalLike')] [string] $KeyShape = 'ConfigMaps',
    # Another build of the module (e.g. without ReadyToRun), measured cold in the same rounds: one more row.
    [string] $OtherModulePath,
    # Environment variables ('NAME=value') for that row's process only (with or without -OtherModulePath: the
    # module itself under another runtime setting, e.g. DOTNET_TieredPGO=0).
    [string[]] $OtherEnvironment)
if ($OtherEnvironment -and -not $OtherModulePath) { $OtherModulePath = $ModulePath }
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
    public static string Key(int i) => Shape == "EventLike" ? EventKey(i) : Shape == "GlobalLike" ? GlobalKey(i) : $"/registry/configmaps/team-{i % 1000:D4}/app-config-{i:D8}";

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
    // A global cluster's mix: a third events (excluded), leases and nodes (excluded), cluster-scoped objects, and
    // namespaced objects of 30 resources (built-in and custom, each resource's share weighted) in 150 tenant namespaces
    // and in the excluded platform namespaces (cpaas-system a quarter of them, kube-system, cert-manager, operators…).
    static readonly (string Resource, int Weight)[] Namespaced = {
        ("configmaps", 8), ("secrets", 12), ("serviceaccounts", 5), ("pods", 10), ("replicasets", 10), ("deployments", 4),
        ("services/specs", 3), ("services/endpoints", 3), ("discovery.k8s.io/endpointslices", 3), ("controllerrevisions", 3),
        ("rolebindings", 5), ("roles", 3), ("statefulsets", 1), ("daemonsets", 1), ("persistentvolumeclaims", 1), ("jobs", 2),
        ("cronjobs", 1), ("networkpolicies", 1), ("poddisruptionbudgets", 1), ("horizontalpodautoscalers", 1),
        ("app.alauda.io/helmrequests", 2), ("monitoring.coreos.com/servicemonitors", 2), ("monitoring.coreos.com/prometheusrules", 1),
        ("cert-manager.io/certificates", 1), ("operators.coreos.com/subscriptions", 1), ("operators.coreos.com/clusterserviceversions", 2),
        ("auth.alauda.io/projectbindings", 1), ("infrastructure.alauda.io/dnsrecords", 1), ("tekton.dev/pipelineruns", 2), ("argoproj.io/applications", 1) };
    public static readonly (string Name, int Weight)[] PlatformNamespaces = {
        ("cpaas-system", 250), ("kube-system", 80), ("cert-manager", 10), ("default", 10), ("operators", 10), ("cpaas-solution", 5), ("kube-public", 1) };
    static readonly string[] Words = { "billing", "checkout", "crm", "data-lake", "edge", "fraud", "hr-portal", "iot", "ledger", "maps", "media", "ml-serving", "mobile-api", "notify", "orders", "partner", "pricing", "reports", "search", "shipping", "sso", "support", "tax", "video", "warehouse" };
    static readonly string[] Stages = { "dev", "test", "staging", "prod", "perf", "dr" };
    static T Pick<T>((T Item, int Weight)[] items, ulong h) { var total = 0; foreach (var x in items) total += x.Weight; var r = (int)(h % (ulong)total); foreach (var x in items) { if (r < x.Weight) return x.Item; r -= x.Weight; } return items[0].Item; }
    public static string GlobalKey(int i) {
        var h = Mix((ulong)i + 0x5151);
        var name = Chars(Mix((ulong)i), 15); // 27^15 > 2^64: the whole mixed number, so every key is distinct
        var app = Apps[(int)((h >> 40) % (ulong)Apps.Length)];
        var tenant = $"{Words[(int)((h >> 8) % (ulong)Words.Length)]}-{Stages[(int)((h >> 16) % (ulong)Stages.Length)]}";
        var slot = h % 100;
        if (slot < 33) return $"/registry/events/{tenant}/{app}-{name.Substring(0, 10)}-{name.Substring(10)}.{Mix(h):x16}";
        if (slot < 35) return $"/registry/leases/kube-node-lease/node-{name}";
        if (slot < 36) return $"/registry/minions/node-{name}";
        if (slot < 38) return $"/registry/clusterroles/{app}-{name}";
        if (slot < 39) return $"/registry/clusterrolebindings/{app}-{name}";
        var resource = Pick(Namespaced, h >> 24);
        // Two in five namespaced objects are the platform's own, in the namespaces the synchronizer leaves out.
        var ns = (h >> 32) % 5 < 2 ? Pick(PlatformNamespaces, h >> 44) : tenant;
        return $"/registry/{resource}/{ns}/{app}-{name.Substring(0, 10)}-{name.Substring(10)}";
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

Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force
function Get-Load { (Get-Content /proc/loadavg).Split(' ')[0] }

# The keys a diff lists, sorted bytewise, one string (to compare two contenders' sets exactly).
function Join-Keys([string[]] $Keys) { $k = [string[]]@($Keys | Where-Object { $_ }); [Array]::Sort($k, [StringComparer]::Ordinal); $k -join "`n" }

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

    # The expert's pipeline exactly as the goal gives it; etcdctl's --command-timeout is raised because its default
    # (5 s) fails at a million keys in one range. Its output: missed keys as they are, surplus keys after a tab.
    $pipeline = Join-Path $work 'pipeline.sh'
    Set-Content $pipeline (@'
export ETCDCTL_API=3
LC_ALL=C comm -3 <(etcdctl --command-timeout=600s --endpoints @P@ get /registry/ --prefix --keys-only | grep .) \
                 <(etcdctl --command-timeout=600s --endpoints @S@ get /registry/ --prefix --keys-only | grep .) > '@W@/pipeline.txt'
'@ -replace '@P@', $primary -replace '@S@', $standby -replace '@W@', $work)
    # The floor: both sides read in parallel into nothing, nothing compared.
    $floor = Join-Path $work 'floor.sh'
    Set-Content $floor (@'
export ETCDCTL_API=3
etcdctl --command-timeout=600s --endpoints @P@ get /registry/ --prefix --keys-only > /dev/null & p=$!
etcdctl --command-timeout=600s --endpoints @S@ get /registry/ --prefix --keys-only > /dev/null & s=$!
wait $p && wait $s
'@ -replace '@P@', $primary -replace '@S@', $standby)

    function Measure-Bash([string] $Script) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $output = & bash $Script 2>&1
        if ($LASTEXITCODE -ne 0) { throw "$Script failed: $output" }
        $watch.Elapsed.TotalMilliseconds
    }
    function Measure-Pipeline {
        $ms = Measure-Bash $pipeline
        $lines = [IO.File]::ReadAllLines((Join-Path $work 'pipeline.txt'))
        $surplus = @($lines | Where-Object { $_.StartsWith("`t") } | ForEach-Object { $_.Substring(1) })
        $missed = @($lines | Where-Object { -not $_.StartsWith("`t") })
        if ($missed.Count -ne $expected -or $surplus.Count -ne $expected) { throw "The pipeline found $($missed.Count) missed and $($surplus.Count) surplus keys, not $expected each." }
        # The pipeline compares every key; the module leaves out what its default list excludes. GlobalLike puts keys
        # there on purpose: those the generator put under events, leases and nodes and in the platform's namespaces.
        if ($KeyShape -eq 'GlobalLike') {
            $platform = ([GlobalUpgradeBench.EtcdFill]::PlatformNamespaces | ForEach-Object Item1) -join '|'
            $notSynced = "^/registry/(events|leases|minions)/|^/registry/(services/specs|services/endpoints|[^/]+\.[^/]+/[^/]+|[^/]+)/($platform)/"
            $missed = @($missed -notmatch $notSynced)
            $surplus = @($surplus -notmatch $notSynced)
        }
        $script:listed = $missed.Count
        [pscustomobject]@{ Ms = $ms; Missed = (Join-Keys $missed); Surplus = (Join-Keys $surplus) }
    }

    $compare = "Compare-EtcdKeyspace -PrimaryEndpoint $primary -StandbyEndpoint $standby -TimeoutSec 600 -MaxKeys 10000000"
    # Cold: a script run as `pwsh -NoProfile -File`, the import in it; the engine's trace (GLOBALUPGRADE_ETCD_TRACE)
    # gives the milliseconds since the process started at each step, the script its own steps and the peak RSS.
    $cold = Join-Path $work 'cold.ps1'
    Set-Content $cold @"
param([string] `$Out, [string] `$Module)
`$started = [Diagnostics.Process]::GetCurrentProcess().StartTime
function Mark([string] `$What) { [Console]::Error.WriteLine([string]::Format([cultureinfo]::InvariantCulture, "trace {0:0.0} {1} {2:0.0} {3}", ([DateTime]::Now - `$started).TotalMilliseconds, [Runtime.JitInfo]::GetCompiledMethodCount(`$false), [Runtime.JitInfo]::GetCompilationTime(`$false).TotalMilliseconds, `$What)) }
Mark 'script'
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module `$Module
Mark 'imported'
`$importedHwm = [double][regex]::Match([IO.File]::ReadAllText('/proc/self/status'), 'VmHWM:\s+(\d+)').Groups[1].Value / 1024 # cheap: the run is timed
`$diff = $compare
Mark 'returned'
[IO.File]::WriteAllLines("`$Out.missed", [string[]]`$diff.MissedKeys)
[IO.File]::WriteAllLines("`$Out.surplus", [string[]]`$diff.SurplusKeys)
`$hwm = [double]((Get-Content /proc/self/status | Select-String '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value) / 1024
[Console]::Out.WriteLine((@{ PeakMB = `$hwm; ImportedPeakMB = `$importedHwm; CpuMs = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalMilliseconds; AllocMB = [GC]::GetTotalAllocatedBytes() / 1MB } | ConvertTo-Json -Compress))
"@
    function Measure-Cold([string] $Module = $ModulePath, [string[]] $Environment) {
        $out = Join-Path $work 'cold'
        $env:GLOBALUPGRADE_ETCD_TRACE = '1'
        foreach ($pair in $Environment) { $name, $value = $pair -split '=', 2; Set-Item "Env:$name" $value }
        try {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $output = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $cold -Out $out -Module $Module 2> (Join-Path $work 'trace.txt')
            $ms = $watch.Elapsed.TotalMilliseconds
        }
        finally {
            Remove-Item Env:GLOBALUPGRADE_ETCD_TRACE
            foreach ($pair in $Environment) { Remove-Item "Env:$(($pair -split '=', 2)[0])" -ErrorAction Ignore }
        }
        if ($LASTEXITCODE -ne 0) { throw "The cold run failed: $output $(Get-Content (Join-Path $work 'trace.txt') -Raw)" }
        # Each trace line: ms since the process started, methods JIT-compiled so far, ms spent JIT-compiling so far, step.
        $trace = [ordered]@{}; $jitMethods = @{}; $jitMs = @{}
        foreach ($line in Get-Content (Join-Path $work 'trace.txt')) {
            if ($line -match '^trace (\S+) (\d+) (\S+) (.+)$' -and -not $trace.Contains($Matches[4])) {
                $trace[$Matches[4]] = [double]$Matches[1]; $jitMethods[$Matches[4]] = [double]$Matches[2]; $jitMs[$Matches[4]] = [double]$Matches[3]
            }
        }
        $trace['exited'] = $ms
        $result = $output | Select-Object -Last 1 | ConvertFrom-Json
        [pscustomobject]@{ Ms = $ms; PeakMB = $result.PeakMB; ImportedPeakMB = $result.ImportedPeakMB; CpuMs = $result.CpuMs; AllocMB = $result.AllocMB; Trace = $trace; JitMethods = $jitMethods; JitMs = $jitMs
            Missed = (Join-Keys ([IO.File]::ReadAllLines("$out.missed"))); Surplus = (Join-Keys ([IO.File]::ReadAllLines("$out.surplus"))) }
    }

    # Warm: the same call a second time in one pwsh session; it reads a line per run from stdin, answers with one JSON line.
    # 'fresh' runs it with another -PageSize each time: the session keeps where a comparison found the keys per cluster
    # and page size, so that call has nothing to cut its requests by, as the first comparison of a pair in a session.
    $session = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
`$process = [Diagnostics.Process]::GetCurrentProcess()
`$null = $compare   # the first call
[Console]::Out.WriteLine('READY')
while ((`$line = [Console]::In.ReadLine()) -match '^(run|fresh) ') {
    `$how, `$out, `$pageSize = `$line -split ' '
    `$process.Refresh()
    `$cpu = `$process.TotalProcessorTime.TotalMilliseconds
    `$allocated = [GC]::GetTotalAllocatedBytes()
    `$watch = [Diagnostics.Stopwatch]::StartNew()
    `$diff = if (`$how -eq 'fresh') { $compare -PageSize ([int]`$pageSize) } else { $compare }
    `$ms = `$watch.Elapsed.TotalMilliseconds
    [IO.File]::WriteAllLines("`$out.missed", [string[]]`$diff.MissedKeys)
    [IO.File]::WriteAllLines("`$out.surplus", [string[]]`$diff.SurplusKeys)
    `$process.Refresh()
    [Console]::Out.WriteLine((@{ Ms = `$ms; PeakMB = `$process.PeakWorkingSet64 / 1MB; CpuMs = `$process.TotalProcessorTime.TotalMilliseconds - `$cpu; AllocMB = ([GC]::GetTotalAllocatedBytes() - `$allocated) / 1MB } | ConvertTo-Json -Compress))
}
# After the rounds: the same call with its debug output, for the requests and index entries walked per side.
`$DebugPreference = 'Continue'
`$requests = $compare 5>&1 | Where-Object { `$_ -is [Management.Automation.DebugRecord] -and `$_.Message -like 'Range requests:*' } | Select-Object -First 1
[Console]::Out.WriteLine(`$requests.Message)
"@
    $info = [Diagnostics.ProcessStartInfo]::new($Pwsh[0])
    foreach ($a in @($Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $session)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $child = [Diagnostics.Process]::Start($info)
    function Measure-Warm([int] $FreshPageSize) {
        $out = Join-Path $work 'warm'
        $child.StandardInput.WriteLine($(if ($FreshPageSize) { "fresh $out $FreshPageSize" } else { "run $out" }))
        $result = $child.StandardOutput.ReadLine() | ConvertFrom-Json
        [pscustomobject]@{ Ms = $result.Ms; PeakMB = $result.PeakMB; CpuMs = $result.CpuMs; AllocMB = $result.AllocMB
            Missed = (Join-Keys ([IO.File]::ReadAllLines("$out.missed"))); Surplus = (Join-Keys ([IO.File]::ReadAllLines("$out.surplus"))) }
    }

    $rows = [ordered]@{ Pipeline = [Collections.Generic.List[object]]::new(); Floor = [Collections.Generic.List[double]]::new(); Cold = [Collections.Generic.List[object]]::new(); Other = [Collections.Generic.List[object]]::new(); Warm = [Collections.Generic.List[object]]::new(); Fresh = [Collections.Generic.List[object]]::new() }
    $loads = [Collections.Generic.List[string]]::new()
    # Both etcd servers' CPU time during each row (ms).
    $etcdCpu = [ordered]@{ Pipeline = [Collections.Generic.List[double]]::new(); Floor = [Collections.Generic.List[double]]::new(); Cold = [Collections.Generic.List[double]]::new(); Warm = [Collections.Generic.List[double]]::new(); Fresh = [Collections.Generic.List[double]]::new() }
    function Get-EtcdCpuMs { ($servers | ForEach-Object { (Get-ProcessCpu $_.Process.Id).Own } | Measure-Object -Sum).Sum }
    $loadBefore = (Get-Content /proc/loadavg) -replace ' \d+/.*$'
    try {
        $ready = $child.StandardOutput.ReadLine()
        if ($ready -ne 'READY') { throw "The pwsh session did not start: $ready" }
        $null = Measure-Bash $floor  # etcdctl and the page cache warmed the same way for every row
        for ($i = 0; $i -lt $Runs; $i++) {
            $before = Get-EtcdCpuMs; $p = Measure-Pipeline; $rows.Pipeline.Add($p); $etcdCpu.Pipeline.Add((Get-EtcdCpuMs) - $before)
            $before = Get-EtcdCpuMs; $rows.Floor.Add((Measure-Bash $floor)); $etcdCpu.Floor.Add((Get-EtcdCpuMs) - $before)
            $before = Get-EtcdCpuMs; $c = Measure-Cold; $rows.Cold.Add($c); $etcdCpu.Cold.Add((Get-EtcdCpuMs) - $before)
            $o = $null
            if ($OtherModulePath) { $o = Measure-Cold $OtherModulePath $OtherEnvironment; $rows.Other.Add($o) }
            $before = Get-EtcdCpuMs; $w = Measure-Warm; $rows.Warm.Add($w); $etcdCpu.Warm.Add((Get-EtcdCpuMs) - $before)
            $before = Get-EtcdCpuMs; $f = Measure-Warm -FreshPageSize (10001 + $i); $rows.Fresh.Add($f); $etcdCpu.Fresh.Add((Get-EtcdCpuMs) - $before)
            foreach ($m in @($c, $w, $f, $o | Where-Object { $_ })) {
                if ($m.Missed -cne $p.Missed -or $m.Surplus -cne $p.Surplus) { throw "Run $($i + 1): the module's key sets differ from the pipeline's." }
            }
            $loads.Add((Get-Load))
            Write-Host ("run {0}: pipeline {1:N0} ms, floor {2:N0} ms, module cold {3:N0} ms ({4:N0} MB peak RSS), warm {5:N0} ms, warm on a pair not compared before {8:N0} ms{6} (load average {7})" -f ($i + 1), $p.Ms, $rows.Floor[-1], $c.Ms, $c.PeakMB, $w.Ms, $(if ($o) { ', other build cold {0:N0} ms' -f $o.Ms }), $loads[-1], $f.Ms)
        }
        $child.StandardInput.WriteLine('exit')
        $walked = $child.StandardOutput.ReadLine()
    }
    finally {
        if (-not $child.WaitForExit(10000)) { $child.Kill($true) }
    }

    $pipelineMs = Get-Median $rows.Pipeline.Ms
    $floorMs = Get-Median $rows.Floor
    $coldMs = Get-Median $rows.Cold.Ms
    $warmMs = Get-Median $rows.Warm.Ms
    $freshMs = Get-Median $rows.Fresh.Ms
    $coldRatio = $coldMs / $pipelineMs
    $warmRatio = $warmMs / $floorMs
    $coldPeak = ($rows.Cold | Measure-Object PeakMB -Maximum).Maximum
    $warmPeak = ($rows.Warm | Measure-Object PeakMB -Maximum).Maximum
    $cpu = (Get-Content /proc/cpuinfo | Select-String '^model name\s*:\s*(.*)' | Select-Object -First 1).Matches.Groups[1].Value
    $commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null) + $(if (& git -C $PSScriptRoot status --porcelain --untracked-files=no 2>$null) { ' (with uncommitted changes)' } else { '' })
    $runsText = (0..($Runs - 1) | ForEach-Object { '{0:N0} / {1:N0} / {2:N0} / {3:N0} / {4:N0}' -f $rows.Pipeline[$_].Ms, $rows.Floor[$_], $rows.Cold[$_].Ms, $rows.Warm[$_].Ms, $rows.Fresh[$_].Ms }) -join '; '
    # The cold run's steps: the median of each mark (ms since the process started; methods JIT-compiled and ms spent
    # compiling, process-wide), and the step from the mark before.
    function Get-Steps($Runs) {
        $previous = 0; $previousMethods = 0; $previousJitMs = 0
        foreach ($mark in @($Runs[0].Trace.Keys)) {
            $at = Get-Median @($Runs | ForEach-Object { if ($_.Trace.Contains($mark)) { $_.Trace[$mark] } })
            $methods = @($Runs | ForEach-Object { if ($_.JitMethods.Contains($mark)) { $_.JitMethods[$mark] } })
            if ($methods.Count -eq 0) { '| {0} | {1:N0} ms | +{2:N0} ms | | |' -f $mark, $at, ($at - $previous) }
            else {
                $methods = Get-Median $methods
                $jit = Get-Median @($Runs | ForEach-Object { if ($_.JitMs.Contains($mark)) { $_.JitMs[$mark] } })
                '| {0} | {1:N0} ms | +{2:N0} ms | {3:N0} (+{4:N0}) | {5:N0} ms (+{6:N0} ms) |' -f $mark, $at, ($at - $previous), $methods, ($methods - $previousMethods), $jit, ($jit - $previousJitMs)
                $previousMethods = $methods; $previousJitMs = $jit
            }
            $previous = $at
        }
    }
    # JIT before the first key arrived (up to the later side's first page) and during the reading (from there to
    # both sides read and merged): medians over the runs of methods compiled and ms spent compiling.
    function Get-JitPhases($Runs) {
        $phases = foreach ($run in $Runs) {
            $firstPage = @($run.Trace.Keys | Where-Object { $_ -like '*first page received' } | Sort-Object { $run.Trace[$_] } | Select-Object -Last 1)[0]
            $merged = 'engine: both sides read and merged'
            [pscustomobject]@{ BeforeMethods = $run.JitMethods[$firstPage]; BeforeMs = $run.JitMs[$firstPage]
                ReadingMethods = $run.JitMethods[$merged] - $run.JitMethods[$firstPage]; ReadingMs = $run.JitMs[$merged] - $run.JitMs[$firstPage]
                TotalMethods = $run.JitMethods['returned']; TotalMs = $run.JitMs['returned'] }
        }
        [pscustomobject]@{ BeforeMethods = Get-Median $phases.BeforeMethods; BeforeMs = Get-Median $phases.BeforeMs
            ReadingMethods = Get-Median $phases.ReadingMethods; ReadingMs = Get-Median $phases.ReadingMs
            TotalMethods = Get-Median $phases.TotalMethods; TotalMs = Get-Median $phases.TotalMs }
    }
    function Format-JitPhases($Jit) {
        '{0:N0} methods JIT-compiled in {1:N0} ms before the first page, {2:N0} methods in {3:N0} ms during the reading ({4:N0} methods, {5:N0} ms, when the cmdlet returned)' -f $Jit.BeforeMethods, $Jit.BeforeMs, $Jit.ReadingMethods, $Jit.ReadingMs, $Jit.TotalMethods, $Jit.TotalMs
    }
    $steps = Get-Steps $rows.Cold
    $coldJit = Get-JitPhases $rows.Cold
    $stepsHeader = "| step reached | at | step | methods JIT-compiled (step) | JIT time (step) |`n|---|---|---|---|---|"

    # The framework a build of the module targets (its engine's TargetFrameworkAttribute) and whether it is precompiled.
    function Get-TargetFramework([string] $Manifest) {
        $engine = Join-Path (Split-Path $Manifest) 'Dependencies/GlobalUpgrade.Engine.dll'
        $framework = [regex]::Match([IO.File]::ReadAllText($engine, [Text.Encoding]::Latin1), 'NETCoreApp,Version=v(\d+\.\d+)').Groups[1].Value
        $stream = [IO.File]::OpenRead($engine)
        try { $readyToRun = [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
        finally { $stream.Dispose() }
        "net$framework$(if ($readyToRun) { ', ReadyToRun' } else { ', IL only' })"
    }
    $other = if ($OtherModulePath) {
        $otherMs = Get-Median $rows.Other.Ms
        $otherJit = Get-JitPhases $rows.Other
        @"

The other build (``$OtherModulePath``, $(Get-TargetFramework $OtherModulePath)$(if ($OtherEnvironment) { ' with ' + ($OtherEnvironment -join ' ') })), cold, in the same rounds: median {0:N0} ms (**{1:N2}×** the module's cold run, {2:N2}× the expert), peak RSS {3:N0} MB, allocated {6:N0} MB (the module's cold run: {7:N0} MB); runs: {4}.

JIT, the other build: $(Format-JitPhases $otherJit); the module's own cold run: $(Format-JitPhases $coldJit).

| JIT (median of the runs, process-wide) | module cold | other build |
|---|---|---|
| methods compiled before the first page | $('{0:N0}' -f $coldJit.BeforeMethods) | $('{0:N0}' -f $otherJit.BeforeMethods) |
| JIT time before the first page | $('{0:N0}' -f $coldJit.BeforeMs) ms | $('{0:N0}' -f $otherJit.BeforeMs) ms |
| methods compiled during the reading | $('{0:N0}' -f $coldJit.ReadingMethods) | $('{0:N0}' -f $otherJit.ReadingMethods) |
| JIT time during the reading | $('{0:N0}' -f $coldJit.ReadingMs) ms | $('{0:N0}' -f $otherJit.ReadingMs) ms |
| methods compiled by the cmdlet's return | $('{0:N0}' -f $coldJit.TotalMethods) | $('{0:N0}' -f $otherJit.TotalMethods) |
| JIT time by the cmdlet's return | $('{0:N0}' -f $coldJit.TotalMs) ms | $('{0:N0}' -f $otherJit.TotalMs) ms |

$stepsHeader
{5}
"@ -f $otherMs, ($otherMs / (Get-Median $rows.Cold.Ms)), ($otherMs / (Get-Median $rows.Pipeline.Ms)), ($rows.Other | Measure-Object PeakMB -Maximum).Maximum, (($rows.Other.Ms | ForEach-Object { '{0:N0}' -f $_ }) -join ', '), ((Get-Steps $rows.Other) -join "`n"), (Get-Median $rows.Other.AllocMB), (Get-Median $rows.Cold.AllocMB)
    }
    $section = @"
### Compare-EtcdKeyspace against the expert's pipeline ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, commit $commit, {0:N0} keys per side, $KeyShape shape, 1 % differing, $Runs runs of each row, interleaved)
Keys like ``$sample`` ($($sample.Length) bytes). Two etcd $((& /usr/bin/etcd --version | Select-Object -First 1) -replace '^etcd Version: ') servers on loopback, plain HTTP; $([Environment]::ProcessorCount) cores ($cpu).
Load average before: $loadBefore; (1 min) after each round: $($loads -join ', ').
Every run of every row lists the same $('{0:N0}' -f $listed) missed and $('{0:N0}' -f $listed) surplus keys (the module's key sets checked equal to the pipeline's$(if ($KeyShape -eq 'GlobalLike') { ", less the keys the module excludes by default: of the pipeline's {0:N0} a side, those under events, leases and nodes and in the platform's namespaces" -f $expected }), each run).

| row | median | ratio | goal |
|---|---|---|---|
| expert: ``LC_ALL=C comm -3 <(etcdctl … get /registry/ --prefix --keys-only \| grep .) <(… standby …)`` | {2:N0} ms | 1× | |
| floor: both ``etcdctl … get /registry/ --prefix --keys-only > /dev/null`` in parallel | {3:N0} ms | | |
| module cold: ``pwsh -NoProfile -File`` a script that imports the module and runs ``Compare-EtcdKeyspace`` once | {4:N0} ms | **{5:N2}×** the expert | ≤ 0.8×, {6} |
| module warm: the same call again in that session | {7:N0} ms | **{8:N2}×** the floor | ≤ 1.1×, {9} |
| module warm, on a pair that session has not compared (``-PageSize`` 10,001, 10,002, …: where a comparison found the keys is kept per cluster and page size) | {13:N0} ms | {14:N2}× the floor | |
| peak RSS of the whole cold process (VmHWM, max of the runs) | **{10:N0} MB** | | < 200 MB, {11} |

Runs (expert / floor / cold / warm / warm on a pair not compared before, ms): $runsText. Warm session's peak working set: {12:N0} MB.
The cold process's peak RSS per run: $(($rows.Cold | ForEach-Object { '{0:N0} MB ({1:N0} MB of it reached before the call: pwsh started, the module imported)' -f $_.PeakMB, $_.ImportedPeakMB }) -join '; ').

CPU time, median of the runs (both etcd servers together, and the module's own process), and what the module's
process allocated on the managed heap (``[GC]::GetTotalAllocatedBytes()``, median):

| row | etcd servers | module process | allocated |
|---|---|---|---|
| expert | $('{0:N0}' -f (Get-Median $etcdCpu.Pipeline)) ms | | |
| floor | $('{0:N0}' -f (Get-Median $etcdCpu.Floor)) ms | | |
| module cold | $('{0:N0}' -f (Get-Median $etcdCpu.Cold)) ms | $('{0:N0}' -f (Get-Median $rows.Cold.CpuMs)) ms (the whole process, pwsh's start included) | $('{0:N0}' -f (Get-Median $rows.Cold.AllocMB)) MB (the whole process) |
| module warm | $('{0:N0}' -f (Get-Median $etcdCpu.Warm)) ms | $('{0:N0}' -f (Get-Median $rows.Warm.CpuMs)) ms | $('{0:N0}' -f (Get-Median $rows.Warm.AllocMB)) MB |
| module warm, a pair not compared before | $('{0:N0}' -f (Get-Median $etcdCpu.Fresh)) ms | $('{0:N0}' -f (Get-Median $rows.Fresh.CpuMs)) ms | $('{0:N0}' -f (Get-Median $rows.Fresh.AllocMB)) MB |

The module's requests (one more warm call, with debug output): $walked

The cold run, step by step (median over the runs of the ms since the process started, and of the methods the process
had JIT-compiled and the ms it had spent compiling them, all threads; ``GLOBALUPGRADE_ETCD_TRACE=1``):
$(Format-JitPhases $coldJit).

$stepsHeader
$($steps -join "`n")
$other

Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchName EtcdCompare -BenchKeys $Keys -BenchRuns $Runs -BenchKeyShape $KeyShape$(if ($OtherModulePath -like '*/r2r/*') { " -BenchReadyToRun -ReadyToRunFramework $((Get-TargetFramework $OtherModulePath) -replace ',.*')" })``

"@ -f $Keys, $expected, $pipelineMs, $floorMs, $coldMs, $coldRatio, $(if ($coldRatio -le 0.8) { 'met' } else { '**not met**' }), $warmMs, $warmRatio, $(if ($warmRatio -le 1.1) { 'met' } else { '**not met**' }), $coldPeak, $(if ($coldPeak -lt 200) { 'met' } else { '**not met**' }), $warmPeak, $freshMs, ($freshMs / $floorMs)
    Set-Content (Join-Path $OutputPath "EtcdCompare-$Keys-$KeyShape.md") $section
    Write-Host $section
}
finally {
    $servers | Stop-EtcdTestServer
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

<#
.SYNOPSIS
    The etcd sync report parser: a /check body of 100,000 missed keys parsed by the module's parser in a warm pwsh
    session (the parser Get-EtcdSyncStatus and every consistency check use), against what an operator would run on
    the same body saved to a file: one awk that counts the keys of each section.
.DESCRIPTION
    Takes the parameters of every bench script (-ModulePath, -Pwsh, -Keys, -Runs, -OutputPath); -Keys is unused.
    The body is the monitor's documented shape (two headings, one key per line). The parser is called through the
    module's own engine assembly (loaded by Import-Module into the module's private load context), warmed once,
    then timed with a Stopwatch, interleaved with the awk peer (a fresh process each time, as an operator runs it).
    Writes <OutputPath>/SyncCheckParse.md.
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys, [int] $Runs, [string] $OutputPath)
$ErrorActionPreference = 'Stop'
$Runs = [Math]::Max($Runs, 10)
$keyCount = 100000
Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force

$body = [Text.StringBuilder]::new("LOCAL ETCD missed keys:`n")
for ($i = 0; $i -lt $keyCount; $i++) { $null = $body.Append("/registry/configmaps/team-$($i % 97)/app-config-$i`n") }
$null = $body.Append("LOCAL ETCD surplus keys:`n/registry/secrets/x/y`n")
$bytes = [Text.Encoding]::UTF8.GetBytes($body.ToString())
$file = Join-Path ([IO.Path]::GetTempPath()) "gu-check-bench-$PID.txt"
[IO.File]::WriteAllBytes($file, $bytes)

# Run in a child pwsh: a clean warm session with only the module loaded.
$session = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath'
`$null = Get-GlobalCluster  # loads the engine into the module's private context
`$parser = [AppDomain]::CurrentDomain.GetAssemblies().Where({ `$_.GetName().Name -eq 'GlobalUpgrade.Engine' }) | ForEach-Object { `$_.GetType('GlobalUpgrade.EtcdSync.SyncCheckParser') } | Select-Object -First 1
if (-not `$parser) { throw 'The engine assembly did not load.' }
`$bytes = [IO.File]::ReadAllBytes('$file')
function Parse {
    `$reader = [IO.StreamReader]::new([IO.MemoryStream]::new(`$bytes), [Text.Encoding]::UTF8, `$true, 65536)
    try { `$parser.GetMethod('ParseAsync').Invoke(`$null, @(`$reader, 'bench', [Threading.CancellationToken]::None)).GetAwaiter().GetResult() } finally { `$reader.Dispose() }
}
`$null = Parse; `$null = Parse  # warm-up (JIT, tiered compilation)
`$self = [Diagnostics.Process]::GetCurrentProcess()
[Console]::Out.WriteLine('READY')
while ([Console]::In.ReadLine() -eq 'run') {
    `$self.Refresh(); `$cpu = `$self.TotalProcessorTime
    `$watch = [Diagnostics.Stopwatch]::StartNew()
    `$report = Parse
    `$ms = `$watch.Elapsed.TotalMilliseconds
    `$self.Refresh()
    [Console]::Out.WriteLine((@{ Ms = `$ms; CpuMs = (`$self.TotalProcessorTime - `$cpu).TotalMilliseconds; Missed = `$report.MissedKeys.Count; Surplus = `$report.SurplusKeys.Count } | ConvertTo-Json -Compress))
}
"@
$awk = '/^[[:space:]]*LOCAL ETCD missed keys:[[:space:]]*$/ { s = 1; next } /^[[:space:]]*LOCAL ETCD surplus keys:[[:space:]]*$/ { s = 2; next } NF { c[s]++ } END { print c[1] + 0, c[2] + 0 }'
function Measure-Awk {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $counts = & awk $awk $file
    $ms = $watch.Elapsed.TotalMilliseconds
    if ($counts -ne "$keyCount 1") { throw "awk counted '$counts', not '$keyCount 1'." }
    $ms
}

$loadBefore = (Get-Content /proc/loadavg) -replace ' \d+/.*$'
$info = [Diagnostics.ProcessStartInfo]::new($Pwsh[0])
foreach ($a in @($Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $session)) { $info.ArgumentList.Add($a) }
$info.RedirectStandardInput = $true
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$child = [Diagnostics.Process]::Start($info)
$peer = [Collections.Generic.List[double]]::new()
$module = [Collections.Generic.List[double]]::new()
$moduleCpu = [Collections.Generic.List[double]]::new()
$loads = [Collections.Generic.List[string]]::new()
try {
    $ready = $child.StandardOutput.ReadLine()
    if ($ready -ne 'READY') { throw "The pwsh session did not start: $ready" }
    $null = Measure-Awk
    for ($i = 0; $i -lt $Runs; $i++) {
        $peer.Add((Measure-Awk))
        $child.StandardInput.WriteLine('run')
        $result = $child.StandardOutput.ReadLine() | ConvertFrom-Json
        if ($result.Missed -ne $keyCount -or $result.Surplus -ne 1) { throw "The parser read $($result.Missed) missed and $($result.Surplus) surplus keys, not $keyCount and 1." }
        $module.Add($result.Ms)
        $moduleCpu.Add($result.CpuMs)
        $loads.Add((Get-Content /proc/loadavg).Split(' ')[0])
    }
    $child.StandardInput.WriteLine('exit')
}
finally {
    if (-not $child.WaitForExit(10000)) { $child.Kill($true) }
    Remove-Item $file -ErrorAction Ignore
}

$peerMedian = Get-Median $peer
$moduleMedian = Get-Median $module
$commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null)
$section = @"
### The etcd sync report parser ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, commit $commit, $keyCount missed keys, $Runs runs each, interleaved)
Load average before: $loadBefore; (1 min) after each run: $($loads -join ', ').

| contender | median |
|---|---|
| ``awk`` counting each section's keys of the same body saved to a file (a fresh process, as an operator runs it) | $([Math]::Round($peerMedian, 1)) ms |
| the module's parser (``SyncCheckParser``, used by ``Get-EtcdSyncStatus``), warm pwsh session | **$([Math]::Round($moduleMedian, 1)) ms** (goal: < 50 ms, $(if ($moduleMedian -lt 50) { 'met' } else { '**not met**' })) |
| the module's parser: CPU time of the pwsh process during the parse (what load does not stretch) | $([Math]::Round((Get-Median $moduleCpu), 1)) ms |
| ratio module / awk | $([Math]::Round($moduleMedian / $peerMedian, 2))× |

Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchName SyncCheckParse -BenchRuns $Runs``

"@
Set-Content (Join-Path $OutputPath 'SyncCheckParse.md') $section
Write-Host $section

<#
.SYNOPSIS
    Image sync log streaming: 100 MB of upgrade.sh output through an attached Invoke-GlobalImageSync (local
    execution: detached wrapper, node log, tail, local copy, progress) against 'bash upgrade.sh > /dev/null' on the
    same machine; medians of -Runs runs, interleaved; and the module process's peak memory growth during a run.
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys, [int] $Runs, [string] $OutputPath, [long] $Bytes = 100MB)
$ErrorActionPreference = 'Stop'
$Runs = [Math]::Max($Runs, 3)
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$work = Join-Path ([IO.Path]::GetTempPath()) "gu-bench-sync-$PID"
$package = Join-Path $work 'package'
$null = New-Item -ItemType Directory -Force $package
Copy-Item (Join-Path $root 'tests/fixtures/package/*') $package
Set-Content (Join-Path $package 'fake.conf') "GU_FAKE_OUTPUT_BYTES=$Bytes"
# The same with 1 KB of output: the fixed cost of a run (check, start, follow, end detection, record).
$tiny = Join-Path $work 'tiny'
$null = New-Item -ItemType Directory -Force $tiny
Copy-Item (Join-Path $root 'tests/fixtures/package/*') $tiny
Set-Content (Join-Path $tiny 'fake.conf') 'GU_FAKE_OUTPUT_BYTES=1000'

# Everything is measured inside one child pwsh, so that its memory is the module's (plus pwsh's) alone.
$child = @"
`$ErrorActionPreference = 'Stop'
`$env:GLOBALUPGRADE_STATE_HOME = '$work/state'
Import-Module '$ModulePath'
function Get-Status([string] `$Key) { `$line = [IO.File]::ReadAllLines('/proc/self/status') | Where-Object { `$_.StartsWith(`$Key + ':') }; [long](`$line -replace '\D', '') * 1KB }
function Measure-Bash { `$w = [Diagnostics.Stopwatch]::StartNew(); & bash -c "cd '$package' && bash upgrade.sh --only-sync-image=true > /dev/null"; if (`$LASTEXITCODE) { throw 'bash failed' }; `$w.Elapsed.TotalMilliseconds }
function Measure-Tiny { `$w = [Diagnostics.Stopwatch]::StartNew(); `$r = Invoke-GlobalImageSync -PackagePath '$tiny' -RunRoot '$work/runs' -Confirm:`$false; `$ms = `$w.Elapsed.TotalMilliseconds; Remove-Item `$r.LogPath, `$r.RunFolder -Recurse -Force; `$ms }
function Measure-Module {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    `$before = Get-Status VmRSS
    `$resetPeak = `$true
    try { [IO.File]::WriteAllText('/proc/self/clear_refs', '5') } catch { `$resetPeak = `$false }
    `$w = [Diagnostics.Stopwatch]::StartNew()
    `$run = Invoke-GlobalImageSync -PackagePath '$package' -RunRoot '$work/runs' -Confirm:`$false
    `$ms = `$w.Elapsed.TotalMilliseconds
    if (`$run.State -ne 'Succeeded') { throw "run `$(`$run.Id) `$(`$run.State)" }
    `$copied = (Get-Item `$run.LogPath).Length
    Remove-Item `$run.LogPath, `$run.RunFolder -Recurse -Force
    [pscustomobject]@{ Ms = `$ms; Growth = (Get-Status VmHWM) - `$before; PeakReset = `$resetPeak; Copied = `$copied }
}
`$null = Measure-Bash; `$null = Measure-Module   # warm-up: disk cache, JIT
`$results = foreach (`$i in 1..$Runs) { [pscustomobject]@{ Bash = Measure-Bash; Module = Measure-Module; Tiny = Measure-Tiny } }
`$results | ConvertTo-Json -Depth 4 -Compress
"@
$childFile = Join-Path $work 'child.ps1'
Set-Content $childFile $child
$json = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $childFile
if ($LASTEXITCODE -ne 0) { throw "the benchmark child failed: $json" }
$results = ($json | Select-Object -Last 1) | ConvertFrom-Json
Remove-Item $work -Recurse -Force -ErrorAction Ignore

function Get-Median([double[]] $Values) { $s = $Values | Sort-Object; if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
$bash = Get-Median ($results | ForEach-Object Bash)
$module = Get-Median ($results | ForEach-Object { $_.Module.Ms })
$tinyMedian = Get-Median ($results | ForEach-Object Tiny)
$growth = ($results | ForEach-Object { $_.Module.Growth } | Measure-Object -Maximum).Maximum
$copied = ($results | ForEach-Object { $_.Module.Copied } | Measure-Object -Minimum).Minimum
$ratio = $module / $bash
$load = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$section = @"
### Image sync log streaming ($(Get-Date -Format 'yyyy-MM-dd'), $Runs runs each, interleaved; $([Environment]::ProcessorCount) cores, $cpu; load average $load)
$([Math]::Round($Bytes / 1MB)) MB of stand-in ``upgrade.sh`` output (``GU_FAKE_OUTPUT_BYTES``), local execution (no SSH): the detached
wrapper writes the node's log, ``tail --pid -f`` streams it into the module, which copies it to the local log and
reports progress.

| command | median |
|---|---|
| ``bash upgrade.sh --only-sync-image=true > /dev/null`` | $([Math]::Round($bash)) ms |
| ``Invoke-GlobalImageSync -PackagePath <package>`` (attached, to the end) | $([Math]::Round($module)) ms |
| ratio | **$([Math]::Round($ratio, 3))×** (goal: ≤ 1.1×) |
| ``Invoke-GlobalImageSync`` of a 1 KB log (the fixed cost of a run: check, start, follow, end, record) | $([Math]::Round($tinyMedian)) ms |
| streaming time beyond bash and the fixed cost ((module − 1 KB run) / bash) | $([Math]::Round(($module - $tinyMedian) / $bash, 3))× |
| peak memory growth of the pwsh process during a run (max of $Runs, VmHWM − VmRSS before) | **$([Math]::Round($growth / 1MB, 1)) MB** (goal: < 64 MB) |

Local copy: $([Math]::Round($copied / 1MB, 1)) MB per run. Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchRuns $Runs`` (or
``tests/bench/Invoke-Benchmarks.ps1 -Name ImageSyncStream``).

"@
Set-Content (Join-Path $OutputPath 'ImageSyncStream.md') $section
$section

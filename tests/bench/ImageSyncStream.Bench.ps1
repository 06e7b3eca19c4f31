<#
.SYNOPSIS
    Image sync log streaming: 100 MB of upgrade.sh output through an attached Invoke-GlobalImageSync (local
    execution: detached wrapper, the run's log read in place, progress) against 'bash upgrade.sh > /dev/null' on the
    same machine; the same with a full local copy (-LogPath: the SSH path's streaming), each stage alone (wrapper
    write, awk mask, read-back, local copy); medians of -Runs runs, interleaved; the module process's peak memory
    growth during a run.
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
# The stages of the streaming path, alone (each a bash command over the same 100 MB): where the time would go.
function Measure-Stage([string] `$Command) { `$w = [Diagnostics.Stopwatch]::StartNew(); & bash -c "cd '$package' && `$Command"; if (`$LASTEXITCODE) { throw "stage failed: `$Command" }; `$w.Elapsed.TotalMilliseconds }
`$stages = [ordered]@{
    WrapperWrite = "bash upgrade.sh --only-sync-image=true >> '$work/stage.log'; rm -f '$work/stage.log'"
    AwkMask = "bash upgrade.sh --only-sync-image=true | awk -W interactive '{ print; fflush() }' > /dev/null"   # the node mask's per-line pass, flushed (mawk)
    ReadBack = "bash upgrade.sh --only-sync-image=true > '$work/stage.log' && tail -c +1 '$work/stage.log' > /dev/null; rm -f '$work/stage.log'"
    LocalCopy = "bash upgrade.sh --only-sync-image=true > '$work/stage.log' && tail -c +1 '$work/stage.log' > '$work/stage.copy'; rm -f '$work/stage.log' '$work/stage.copy'"
}
function Measure-Copying { `$w = [Diagnostics.Stopwatch]::StartNew(); `$r = Invoke-GlobalImageSync -PackagePath '$package' -RunRoot '$work/runs' -LogPath '$work/copy.log' -Confirm:`$false; `$ms = `$w.Elapsed.TotalMilliseconds; Remove-Item `$r.LogPath, `$r.RunFolder -Recurse -Force; `$ms }
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
`$results = foreach (`$i in 1..$Runs) {
    `$row = [ordered]@{ Bash = Measure-Bash; Module = Measure-Module; Tiny = Measure-Tiny; Copying = Measure-Copying }
    foreach (`$name in `$stages.Keys) { `$row[`$name] = Measure-Stage `$stages[`$name] }
    [pscustomobject]`$row
}
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
$copying = Get-Median ($results | ForEach-Object Copying)
$stageRows = foreach ($name in 'WrapperWrite', 'AwkMask', 'ReadBack', 'LocalCopy') {
    $median = Get-Median ($results | ForEach-Object $name)
    "| $name | $([Math]::Round($median)) ms | $([Math]::Round($median / $bash, 3))× |"
}
$uptime = (& uptime).Trim()
$load = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$section = @"
### Image sync log streaming ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $Runs runs each, interleaved; $([Environment]::ProcessorCount) cores, $cpu; load average $load)
$([Math]::Round($Bytes / 1MB)) MB of stand-in ``upgrade.sh`` output (``GU_FAKE_OUTPUT_BYTES``), local execution (no SSH): the detached
wrapper writes the run's log; attached, the module reads only its last 16 KB for progress and the last lines and
asks the run folder for the end (no copy on this machine). ``uptime`` at the end: ``$uptime``.

| command | median |
|---|---|
| ``bash upgrade.sh --only-sync-image=true > /dev/null`` | $([Math]::Round($bash)) ms |
| ``Invoke-GlobalImageSync -PackagePath <package>`` (attached, to the end) | $([Math]::Round($module)) ms |
| ratio | **$([Math]::Round($ratio, 3))×** (goal: ≤ 1.1×) |
| ``Invoke-GlobalImageSync`` of a 1 KB log (the fixed cost of a run: check, start, follow, end, record) | $([Math]::Round($tinyMedian)) ms |
| ``Invoke-GlobalImageSync -LogPath <file>`` (attached, streaming a full local copy: the SSH path's work) | $([Math]::Round($copying)) ms ($([Math]::Round($copying / $bash, 3))×) |
| peak memory growth of the pwsh process during a run (max of $Runs, VmHWM − VmRSS before) | **$([Math]::Round($growth / 1MB, 1)) MB** (goal: < 64 MB) |

The stages alone (bash commands over the same output; ratio to ``> /dev/null``):

| stage | median | ratio |
|---|---|---|
$($stageRows -join "`n")

Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchName ImageSyncStream -BenchRuns $Runs``.

"@
Set-Content (Join-Path $OutputPath 'ImageSyncStream.md') $section
$section

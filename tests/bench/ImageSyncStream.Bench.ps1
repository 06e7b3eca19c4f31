<#
.SYNOPSIS
    Image sync log streaming: 100 MB of upgrade.sh output through an attached Invoke-GlobalImageSync against
    'bash upgrade.sh > /dev/null' on the same machine — on this machine, and over SSH to a real OpenSSH server on
    loopback (the tests' sshd fixture): with the full local copy (the default over SSH) and by the tail only
    (-NoLogCopy); the stages of the SSH path alone; medians of -Runs runs, interleaved; CPU time of each side; the
    module process's peak memory growth during a run.
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys, [int] $Runs, [string] $OutputPath, [long] $Bytes = 100MB)
$ErrorActionPreference = 'Stop'
$Runs = [Math]::Max($Runs, 3)
Import-Module (Join-Path $PSScriptRoot 'BenchCommon.psm1') -Force
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$work = Join-Path ([IO.Path]::GetTempPath()) "gu-bench-sync-$PID"
$package = Join-Path $work 'package'
$null = New-Item -ItemType Directory -Force $package
Copy-Item (Join-Path $root 'tests/fixtures/package/*') $package
Set-Content (Join-Path $package 'fake.conf') "GU_FAKE_OUTPUT_BYTES=$Bytes"
# The same with 1 KB of output: the fixed cost of a run (connect, check, start, follow, end detection, record).
$tiny = Join-Path $work 'tiny'
$null = New-Item -ItemType Directory -Force $tiny
Copy-Item (Join-Path $root 'tests/fixtures/package/*') $tiny
Set-Content (Join-Path $tiny 'fake.conf') 'GU_FAKE_OUTPUT_BYTES=1000'

# The node: the tests' own OpenSSH server on loopback (tests/fixtures/sshd, started as the Pester suites do).
$env:GLOBALUPGRADE_ROOT = $root
Import-Module (Join-Path $root 'tests/pester/TestHelpers.psm1') -Force
$sshd = Start-TestSshd -Directory (Join-Path $work 'sshd')
$node = $sshd.Node
$ssh = "ssh -o BatchMode=yes -o UserKnownHostsFile='$($node.KnownHostsPath)' -i '$($node.KeyFilePath)' -p $($node.Port) $($node.UserName)@127.0.0.1"
$loadBefore = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '

# Everything is measured inside one child pwsh, so that its memory and CPU time are the module's (plus pwsh's) alone.
# The script's speed depends on the locale (bash's string handling: ~1.5× slower under C.UTF-8); a session of the
# sshd gets none (C), so every row runs it under C: the baseline, the local runs and the node's.
$child = @"
`$ErrorActionPreference = 'Stop'
`$env:LC_ALL = 'C'
`$env:GLOBALUPGRADE_STATE_HOME = '$work/state'
Import-Module '$ModulePath'
Import-Module '$PSScriptRoot/BenchCommon.psm1'
`$node = @{ ComputerName = '$($node.ComputerName)'; Port = $($node.Port); UserName = '$($node.UserName)'; KeyFilePath = '$($node.KeyFilePath)'; KnownHostsPath = '$($node.KnownHostsPath)' }
`$sshdPid = $($sshd.Process.Id)
`$sync = "bash upgrade.sh --only-sync-image"
function Get-Status([string] `$Key) { `$line = [IO.File]::ReadAllLines('/proc/self/status') | Where-Object { `$_.StartsWith(`$Key + ':') }; [long](`$line -replace '\D', '') * 1KB }
function Wait-SshdIdle {
    # The sessions' processes are counted in sshd's children time once it reaped them.
    `$deadline = [DateTime]::UtcNow.AddSeconds(5)
    while ([DateTime]::UtcNow -lt `$deadline -and ([IO.File]::ReadAllText("/proc/`$sshdPid/task/`$sshdPid/children").Trim())) { Start-Sleep -Milliseconds 20 }
}
function Measure-Once([scriptblock] `$Body) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    `$before = Get-Status VmRSS
    try { [IO.File]::WriteAllText('/proc/self/clear_refs', '5') } catch { }
    `$selfCpu = Get-ProcessCpu; `$sshdCpu = Get-ProcessCpu `$sshdPid
    `$w = [Diagnostics.Stopwatch]::StartNew()
    & `$Body
    `$ms = `$w.Elapsed.TotalMilliseconds
    Wait-SshdIdle
    `$selfCpu2 = Get-ProcessCpu; `$sshdCpu2 = Get-ProcessCpu `$sshdPid
    [pscustomobject]@{ Ms = `$ms; Module = `$selfCpu2.Own - `$selfCpu.Own; Children = `$selfCpu2.Children - `$selfCpu.Children; Sshd = `$sshdCpu2.Children - `$sshdCpu.Children; Growth = (Get-Status VmHWM) - `$before; Load = [double]([IO.File]::ReadAllText('/proc/loadavg').Split(' ')[0]) }
}
function Invoke-Sync([string] `$Package, [hashtable] `$Extra = @{}) {
    `$r = Invoke-GlobalImageSync -PackagePath `$Package -RunRoot '$work/runs' -Confirm:`$false @Extra
    if (`$r.State -ne 'Succeeded') { throw "run `$(`$r.Id) `$(`$r.State)" }
    # What was copied here: the log files in the state folder (with -NoLogCopy, LogPath names the node's log).
    `$copies = @(Get-ChildItem '$work/state' -Recurse -Filter *.log)
    `$script:copied = (`$copies | Measure-Object Length -Sum).Sum + 0
    Remove-Item `$r.RunFolder -Recurse -Force; `$copies | Remove-Item
}
function Invoke-Bash([string] `$Command) { & bash -c "cd '$package' && `$Command"; if (`$LASTEXITCODE) { throw "failed: `$Command" } }
# The engine's own SSH client (SshHost: SSH.NET) on its own, for the SSH path's stages.
function Invoke-Node([string] `$Script, [IO.Stream] `$Output) {
    `$h = `$openHost.Invoke(`$null, @(`$target, [Threading.CancellationToken]::None)).GetAwaiter().GetResult()
    try { `$r = `$h.ExecuteAsync(`$Script, [ReadOnlyMemory[byte]]::Empty, `$Output, [Threading.CancellationToken]::None).GetAwaiter().GetResult(); if (`$r.ExitCode) { throw `$r.Error } } finally { `$h.Dispose() }
}
`$rows = [ordered]@{
    Bash = { Invoke-Bash "`$sync > /dev/null" }
    Local = { Invoke-Sync '$package' }
    SshCopy = { Invoke-Sync '$package' `$node }
    SshTail = { Invoke-Sync '$package' (`$node + @{ NoLogCopy = `$true }) }
    SshTiny = { Invoke-Sync '$tiny' `$node }
    # Stages of the SSH path, each with the script itself (ratio to the baseline):
    WrapperWrite = { Invoke-Bash "`$sync >> '$work/stage.log'; rm -f '$work/stage.log'" }
    # Any reader at all (a pipe to cat, which discards): what keeping the bytes anywhere but /dev/null costs the script.
    PipeRead = { Invoke-Bash "`$sync | cat > /dev/null" }
    AwkMask = { Invoke-Bash "`$sync | awk -W interactive '{ print; fflush() }' > /dev/null" }
    OpenSsh = { Invoke-Bash "$ssh ``"cd '$package' && `$sync``" > /dev/null" }
    # The fixed cost of a run with OpenSSH's client: the 1 KB script over ssh, nothing kept.
    OpenSshTiny = { Invoke-Bash "$ssh ``"cd '$tiny' && `$sync``" > /dev/null" }
    SshChannel = { Invoke-Node "cd '$package' && `$sync" ([IO.Stream]::Null) }
    SshChannelCopy = { `$sink = [Activator]::CreateInstance(`$logSink, @([string]'$work/stage.copy', `$null)); try { Invoke-Node "cd '$package' && `$sync" `$sink } finally { `$sink.Dispose(); Remove-Item '$work/stage.copy' } }
}
# Warm-up (disk cache, JIT, the engine loaded), then the engine's types for the stages.
`$null = Measure-Once `$rows.Bash; `$null = Measure-Once `$rows.SshCopy; `$null = Measure-Once `$rows.Local
`$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'GlobalUpgrade.Engine' } | Select-Object -First 1
`$targetType = `$engine.GetType('GlobalUpgrade.Remote.RemoteTarget'); `$target = [Activator]::CreateInstance(`$targetType)
foreach (`$k in `$node.Keys) { `$targetType.GetProperty(`$k).SetValue(`$target, `$node[`$k]) }
`$openHost = `$engine.GetType('GlobalUpgrade.Remote.RemoteHost').GetMethod('OpenAsync')
`$logSink = `$engine.GetType('GlobalUpgrade.Remote.LogSink')
`$null = Measure-Once `$rows.SshChannel
`$results = foreach (`$i in 1..$Runs) {
    `$row = [ordered]@{}
    foreach (`$name in `$rows.Keys) {
        `$row[`$name] = Measure-Once `$rows[`$name]
        if (`$name -in 'SshCopy', 'SshTail') { `$row[`$name] | Add-Member Copied `$script:copied }
    }
    [pscustomobject]`$row
}
`$results | ConvertTo-Json -Depth 4 -Compress
"@
$childFile = Join-Path $work 'child.ps1'
Set-Content $childFile $child
try {
    $json = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $childFile
    if ($LASTEXITCODE -ne 0) { throw "the benchmark child failed: $json" }
}
finally {
    Stop-TestSshd $sshd
}
$results = ($json | Select-Object -Last 1) | ConvertFrom-Json
Remove-Item $work -Recurse -Force -ErrorAction Ignore

function Get-Row([string] $Name, [string] $Field = 'Ms') { Get-Median ($results | ForEach-Object { $_.$Name.$Field }) }
$bash = Get-Row Bash
$bashCpu = Get-Row Bash Children
function Format-Ratio([string] $Name) { "$([Math]::Round((Get-Row $Name) / $bash, 3))×" }
# The floor: a detached run keeps its whole log in its run folder, so no attached sync is faster than the script
# writing that file (WrapperWrite); what the module adds is the ratio over it.
function Format-OverFloor([string] $Name) { "$([Math]::Round((Get-Row $Name) / (Get-Row WrapperWrite), 3))×" }
function Format-Over([string] $Name, [string] $Base) { "$([Math]::Round((Get-Row $Name) / (Get-Row $Base), 3))×" }
function Format-Cpu([string] $Name) { "$([Math]::Round((Get-Row $Name Module)))&nbsp;/&nbsp;$([Math]::Round((Get-Row $Name Sshd))) ms" }
function Format-Growth([string] $Name) { "$([Math]::Round((($results | ForEach-Object { $_.$Name.Growth } | Measure-Object -Maximum).Maximum) / 1MB, 1)) MB" }
$loads = $results | ForEach-Object { foreach ($p in $_.PSObject.Properties) { $p.Value.Load } }
$loadMedian = Get-Median $loads
$loadRange = "$(($loads | Measure-Object -Minimum).Minimum)–$(($loads | Measure-Object -Maximum).Maximum)"
$loadAfter = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$copyBytes = ($results | ForEach-Object { $_.SshCopy.Copied } | Measure-Object -Minimum).Minimum
$tailBytes = ($results | ForEach-Object { $_.SshTail.Copied } | Measure-Object -Maximum).Maximum
$stageRows = foreach ($stage in @(
        @('WrapperWrite', 'the script into a log file (what the detached wrapper does)'),
        @('PipeRead', 'the script into a pipe that `cat` reads and discards (any reader of the bytes at all)'),
        @('AwkMask', 'the script through `awk -W interactive` line by line, flushed (the node''s masking pass, only with a registry password)'),
        @('OpenSsh', 'the script run over `ssh` (OpenSSH client) to /dev/null: the channel with a C client'),
        @('SshChannel', 'the script run over the engine''s SSH client (SSH.NET) into nothing: the channel alone'),
        @('SshChannelCopy', 'the same into the local copy (LogSink: 1 MB blocks, 16 KB ring), uncompressed'))) {
    "| $($stage[0]): $($stage[1]) | $([Math]::Round((Get-Row $stage[0]))) ms | $(Format-Ratio $stage[0]) |"
}
$section = @"
### Image sync log streaming ($(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, $Runs runs each, interleaved; $([Environment]::ProcessorCount) cores, $cpu)
Load average (1, 5, 15 min) before: $loadBefore; after: $loadAfter; 1-min load at the rows' ends: median $loadMedian, range $loadRange.
$([Math]::Round($Bytes / 1MB)) MB of stand-in ``upgrade.sh`` output (``GU_FAKE_OUTPUT_BYTES``), every row under ``LC_ALL=C``. SSH: the
tests' OpenSSH server on loopback (``tests/fixtures/sshd``, ``Start-TestSshd``), key login; the node is this machine,
so the node's work and the module's share the same 2 cores, as they would not on a real jump host.

| command | median | ratio to the baseline |
|---|---|---|
| ``bash upgrade.sh --only-sync-image > /dev/null`` (baseline; its CPU $([Math]::Round($bashCpu)) ms) | $([Math]::Round($bash)) ms | 1× |
| ``Invoke-GlobalImageSync -PackagePath <package>`` (this machine, attached: the run's log read in place) | $([Math]::Round((Get-Row Local))) ms | **$(Format-Ratio Local)** |
| ``Invoke-GlobalImageSync @node -PackagePath <package>`` (SSH, attached, full local copy: the default; compressed on the node) | $([Math]::Round((Get-Row SshCopy))) ms | **$(Format-Ratio SshCopy)** |
| ``Invoke-GlobalImageSync @node -PackagePath <package> -NoLogCopy`` (SSH, attached, by the tail only) | $([Math]::Round((Get-Row SshTail))) ms | **$(Format-Ratio SshTail)** |
| ``Invoke-GlobalImageSync @node`` of a 1 KB log (the fixed cost over SSH: connect, check, start, follow, end, record) | $([Math]::Round((Get-Row SshTiny))) ms | |
| ``ssh node 'bash upgrade.sh --only-sync-image' > /dev/null`` of the same 1 KB log (OpenSSH's client: connect, run, nothing kept) | $([Math]::Round((Get-Row OpenSshTiny))) ms | |

Goal: ≤ 1.1×. Local copy: $([Math]::Round($copyBytes / 1MB, 1)) MB (full copy), $tailBytes bytes (-NoLogCopy).
Floor: the script writing its own log file alone (WrapperWrite, below) is $(Format-Ratio WrapperWrite) the baseline (a pipe that a reader
discards at once, PipeRead: $(Format-Ratio PipeRead): the baseline's /dev/null is the only output that costs the script nothing); over that floor
this machine is $(Format-OverFloor Local), SSH full copy $(Format-OverFloor SshCopy), SSH by the tail $(Format-OverFloor SshTail).
Against OpenSSH's client running the script with no log file at all (the OpenSsh stage row, below): SSH full copy
$(Format-Over SshCopy OpenSsh), SSH by the tail $(Format-Over SshTail OpenSsh); that row is itself $(Format-OverFloor OpenSsh) the floor.
CPU time (median; module process / sshd and its sessions — the follower script, not the detached run): SSH full copy
$(Format-Cpu SshCopy), SSH by the tail $(Format-Cpu SshTail), this machine $(Format-Cpu Local).
Peak memory growth of the pwsh process during a run (max of $Runs, VmHWM − VmRSS before): this machine
$(Format-Growth Local), SSH full copy $(Format-Growth SshCopy), SSH by the tail $(Format-Growth SshTail) (goal: < 64 MB).

The stages of the SSH path alone (each with the script itself; ratio to the baseline):

| stage | median | ratio |
|---|---|---|
$($stageRows -join "`n")

Command: ``dotnet pwsh ./build.ps1 -Task Bench -BenchName ImageSyncStream -BenchRuns $Runs``.

"@
$null = New-Item -ItemType Directory -Force $OutputPath
Set-Content (Join-Path $OutputPath 'ImageSyncStream.md') $section
$section

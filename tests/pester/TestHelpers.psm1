# Shared by the Pester suites: the simulator as a child process, its admin API, and a child pwsh.
# build.ps1 sets GLOBALUPGRADE_MODULE, GLOBALUPGRADE_SIMULATOR, GLOBALUPGRADE_PWSH and GLOBALUPGRADE_ROOT.

$ErrorActionPreference = 'Stop'

# Start-FixtureServer, Stop-FixtureServer: the servers' starters (tests/fixtures), shared with EtcdTestServer.psm1.
. (Join-Path $PSScriptRoot '../fixtures/FixtureServer.ps1')

function Get-TestPwsh {
    # The pwsh that runs the tests, as a command line (under 'dotnet pwsh' it is dotnet + pwsh.dll).
    @($env:GLOBALUPGRADE_PWSH -split [IO.Path]::PathSeparator)
}

function Invoke-ChildPwsh {
    <# Runs a script in a fresh pwsh and returns its output lines; throws with the output when it fails. #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = Get-TestPwsh
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    # Plain text: escape codes in a child's error message would end up in a test message and break the XML report.
    $Script = "`$PSStyle.OutputRendering = 'PlainText'`n" + $Script
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $info.ArgumentList.Add($a) }
    $info.Environment['NO_COLOR'] = '1'
    foreach ($k in $Environment.Keys) { $info.Environment[$k] = [string]$Environment[$k] }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $info.WorkingDirectory = [IO.Path]::GetTempPath()  # whatever the child writes relative to its folder stays out of the repo
    $p = [Diagnostics.Process]::Start($info)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Error = $stderr.Result }
}

function Start-TestSimulator {
    <# Starts the simulator as a child process and returns a handle with the kubeconfig and each cluster's server and token. #>
    param([string] $Scenario = 'healthy', [switch] $Dr, [double] $TimeScale = 1, [string] $Snapshot)
    $dir = (New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "gu-sim-$([guid]::NewGuid().ToString('n').Substring(0, 8))")).FullName
    $kubeconfig = Join-Path $dir 'sim.kubeconfig'
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    $arguments = @($env:GLOBALUPGRADE_SIMULATOR, '--kubeconfig', $kubeconfig, '--scenario', $Scenario, '--time-scale', "$TimeScale")
    if ($Dr) { $arguments += '--dr' }
    if ($Snapshot) { $arguments += '--snapshot', $Snapshot }
    foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardInput = $true   # closing it stops the simulator, even if this process dies
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    $ready = $process.StandardOutput.ReadLineAsync()
    if (-not $ready.Wait(30000) -or $ready.Result -notlike 'READY*') { $process.Kill($true); throw "The simulator did not start (scenario $Scenario): $($ready.Result)" }
    [pscustomobject]@{
        Process    = $process
        Directory  = $dir
        Kubeconfig = $kubeconfig
        Clusters   = Read-SimKubeconfig $kubeconfig
    }
}

function Stop-TestSimulator {
    param($Simulator)
    if (-not $Simulator) { return }
    try { $Simulator.Process.StandardInput.Close() } catch { }
    if (-not $Simulator.Process.WaitForExit(10000)) { $Simulator.Process.Kill($true) }
    Remove-Item $Simulator.Directory -Recurse -Force -ErrorAction Ignore
}

function Read-SimKubeconfig([string] $Path) {
    # The simulator writes a plain kubeconfig: one cluster, user and context per name. Enough YAML for that layout.
    $text = Get-Content $Path -Raw
    $clusters = @{}
    foreach ($m in [regex]::Matches($text, '(?m)^- name: (?<name>[\w-]+)\r?\n  cluster:\r?\n    server: (?<server>\S+)')) {
        $clusters[$m.Groups['name'].Value] = @{ Server = $m.Groups['server'].Value }
    }
    foreach ($m in [regex]::Matches($text, '(?m)^- name: (?<name>[\w-]+)\r?\n  user:\r?\n    token: (?<token>\S+)')) {
        if ($clusters.ContainsKey($m.Groups['name'].Value)) { $clusters[$m.Groups['name'].Value].Token = $m.Groups['token'].Value }
    }
    $clusters
}

function Invoke-SimAdmin {
    <# Calls the simulator's test API (/_sim/...) of one cluster. #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $Cluster,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'GET',
        $Body
    )
    $c = $Simulator.Clusters[$Cluster]
    $params = @{ Uri = "$($c.Server)$Path"; Method = $Method; Headers = @{ Authorization = "Bearer $($c.Token)" }; SkipCertificateCheck = $true }
    if ($null -ne $Body) { $params.Body = ConvertTo-Json -InputObject $Body -Depth 20 -Compress; $params.ContentType = 'application/json' }
    Invoke-RestMethod @params
}

function Get-SimClientWrite {
    <# The writes (POST, PUT, PATCH, DELETE) that clients sent to the given clusters of the simulator, without its test API
       and the reviews every authenticated call makes: what a read-only step must leave empty. #>
    param([Parameter(Mandatory)] $Simulator, [string[]] $Cluster = @('primary', 'standby'))
    foreach ($name in $Cluster) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster $name -Path '/_sim/requests' |
            ForEach-Object { $_ } |
            Where-Object { $_.method -in 'POST', 'PUT', 'PATCH', 'DELETE' -and $_.path -notmatch '^/_sim/|selfsubject|tokenreviews' }
    }
}

function Push-SimPlugin {
    <# What an operator's violet push of a plugin package does on one cluster's platform (/_sim/push-plugin): its ArtifactVersion, ModulePlugin and ModuleConfig. #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Cluster, [Parameter(Mandatory)] [string] $Version, [string] $Module = 'etcd-sync')
    Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/push-plugin' -Method POST -Body @{ module = $Module; version = $Version }
}

function Wait-SimRequestInFlight {
    <# Waits until one cluster of the simulator is serving a request whose path matches (e.g. a watch a cmdlet opened): a test acts once the wait it drives has started, never after a fixed delay. #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $Cluster,
        [Parameter(Mandatory)] [string] $PathPattern,
        [int] $TimeoutSec = 60
    )
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not @(Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/requests/in-flight' | ForEach-Object { $_ } | Where-Object path -Match $PathPattern)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "No request matching '$PathPattern' was in flight on $Cluster within $TimeoutSec s." }
        Start-Sleep -Milliseconds 20
    }
}

function Set-SimPushback {
    <# Makes clusters of the simulator push back like a busy API server: one request in -Every answered -Status (429 Too Many Requests, or 503) with Retry-After -RetryAfter (none when empty), for -ForMs or until -Clear. The test API (/_sim) is never pushed back. #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [string[]] $Cluster = @($Simulator.Clusters.Keys),
        [int] $Every = 5,
        [ValidateSet(429, 503)] [int] $Status = 429,
        [string] $RetryAfter = '1',
        [int] $ForMs,
        [switch] $Clear
    )
    foreach ($c in $Cluster) {
        if ($Clear) { Invoke-SimAdmin -Simulator $Simulator -Cluster $c -Path '/_sim/faults' -Method DELETE | Out-Null; continue }
        $rule = @{ pathRegex = '.*'; status = $Status; every = $Every }
        if ($RetryAfter) { $rule.retryAfter = $RetryAfter }
        if ($ForMs) { $rule.forMs = $ForMs }
        Invoke-SimAdmin -Simulator $Simulator -Cluster $c -Path '/_sim/faults' -Method POST -Body @($rule) | Out-Null
    }
}

function Get-SimStore {
    <# Every object the simulated cluster stores, as canonical JSON lines (for before/after comparisons). #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Cluster)
    $objects = Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/store'
    @($objects | ForEach-Object { ConvertTo-Json -InputObject $_ -Depth 30 -Compress }) | Sort-Object
}

function Connect-SimPair {
    <# Connects the simulator's primary and standby (as Primary and Standby), after dropping every other connection. #>
    param([Parameter(Mandatory)] $Simulator)
    Get-GlobalCluster | Disconnect-GlobalCluster
    Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
    Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
}

function New-TestKubeconfig {
    <# Writes a kubeconfig variant of the simulator's (a wrong token, another CA, a closed port). #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Name, [scriptblock] $Transform)
    $text = Get-Content $Simulator.Kubeconfig -Raw
    $path = Join-Path $Simulator.Directory $Name
    Set-Content -Path $path -Value (& $Transform $text)
    $path
}

function Start-TestSshd {
    <# A real OpenSSH server on loopback (tests/fixtures/sshd); returns the process, its folder, the host key's fingerprint and the node options (-ComputerName, -Port, -UserName, -KeyFilePath, -KnownHostsPath). #>
    param([Parameter(Mandatory)] [string] $Directory)
    # The starter picks the port, retries when it was taken and returns once sshd listens (shared with xunit); it
    # says what to install when /usr/sbin/sshd is missing.
    $server = Start-FixtureServer -Script 'sshd/start-sshd.sh' -ArgumentList $Directory
    $port = [int]$server.Fields['port']
    [pscustomobject]@{
        Process     = $server.Process
        Server      = $server
        Port        = $port
        Directory   = $Directory
        Fingerprint = (Get-Content (Join-Path $Directory 'host_fingerprint') -Raw).Trim()
        Node        = @{ ComputerName = '127.0.0.1'; Port = $port; UserName = [Environment]::UserName; KeyFilePath = (Join-Path $Directory 'user_ed25519'); KnownHostsPath = (Join-Path $Directory 'known_hosts') }
    }
}

function Stop-TestSshd {
    <# Stops a server of Start-TestSshd with its per-connection processes. #>
    param($Sshd)
    if ($Sshd) { Stop-FixtureServer $Sshd.Server }
}

function Get-Failure {
    <# The error a command throws (the test fails when it does not throw). #>
    param([Parameter(Mandatory)] [scriptblock] $Command)
    try { & $Command | Out-Null } catch { return $_ }
    throw 'expected the command to fail'
}

function New-TestPackage {
    <# A copy of the stand-in package (tests/fixtures/package) in $Root that says it installs $Version (or the fixture's); fake.conf gets the
       sync's length and image count, the simulator cluster its trigger reports to (-Simulator, -Cluster) and $Conf. #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [string] $Version,
        [hashtable] $Conf = @{},
        $Simulator,
        [string] $Cluster = 'global',
        [int] $SyncMs = 200,
        [int] $Images = 4,
        [string] $Name = "package-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
    )
    $dir = Join-Path $Root $Name
    Copy-Item -Recurse (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $dir
    if ($Version) { Set-Content -Path (Join-Path $dir 'version') -Value $Version }
    $lines = @("GU_FAKE_DURATION_MS=$SyncMs", "GU_FAKE_IMAGES=$Images")
    if ($Simulator) {
        # The trigger reports to the simulator: before 4.3 ProductBase moves to the package's version; from 4.3
        # the Cluster Version Operator is deployed and offers it (the platform moves when the operator finishes).
        $lines += "GU_SIM_ADMIN_URL=$($Simulator.Clusters[$Cluster].Server)", "GU_SIM_TOKEN=$($Simulator.Clusters[$Cluster].Token)"
    }
    $lines += $Conf.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }
    Set-Content -Path (Join-Path $dir 'fake.conf') -Value $lines
    $dir
}

function Get-Result {
    <# The results of one check, on one target when -Target is given. #>
    param([object[]] $Results, [Parameter(Mandatory)] [string] $Check, [string] $Target)
    @($Results | Where-Object { $_.Check -eq $Check -and (-not $Target -or $_.Target -eq $Target) })
}

# A simulated DR pair with a stand-in package per node that installs $Target, and a work folder for journal and state.
function New-TestDrPair([string] $Root, [string] $Name, [string] $Scenario, [string] $Target, [int] $SyncMs, [int] $Images) {
    $sim = Start-TestSimulator -Scenario $Scenario -Dr -TimeScale 0.2
    $work = (New-Item -ItemType Directory (Join-Path $Root $Name)).FullName
    foreach ($cluster in 'primary', 'standby') {
        New-TestPackage -Root $work -Name "package-$cluster" -Version $Target -SyncMs $SyncMs -Images $Images -Simulator $sim -Cluster $cluster | Out-Null
    }
    [pscustomobject]@{ Simulator = $sim; Target = $Target; Work = $work; Journal = (Join-Path $work 'dr.journal.json'); State = (Join-Path $work 'state') }
}

# Invoke-GlobalDrUpgrade on such a pair as an operator types it, as a script for a child pwsh; prints "STEP name cluster state".
# -Target: the pair's own unless given; -EtcdSync: the -EtcdSync argument as PowerShell source; -Extra: more parameters, as source too.
function Get-RunbookScript($Fixture, [string] $Target = $Fixture.Target, [string] $Extra = '', [switch] $Resume, [string] $EtcdSync = "@{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = `$true }") {
    @"
`$ErrorActionPreference = 'Stop'
`$env:GLOBALUPGRADE_STATE_HOME = '$($Fixture.State)'
Import-Module '$env:GLOBALUPGRADE_MODULE'
`$env:KUBECONFIG = '$($Fixture.Simulator.Kubeconfig)'
Connect-GlobalCluster -Context primary -Role Primary | Out-Null
Connect-GlobalCluster -Context standby -Role Standby | Out-Null
Invoke-GlobalDrUpgrade -PackagePath '$($Fixture.Work)/package-primary' -StandbyPackagePath '$($Fixture.Work)/package-standby' -TargetVersion $Target -StandbyVip 192.168.131.10 -EtcdSync $EtcdSync -JournalPath '$($Fixture.Journal)' $(if ($Resume) { '-Resume' }) $Extra |
    ForEach-Object { 'STEP ' + `$_.Name + ' ' + `$_.Cluster + ' ' + `$_.State }
"@
}

# The runbook on such a pair in a child pwsh (Get-RunbookScript's parameters); returns the child's exit code and output.
function Invoke-Runbook($Fixture, [string] $Target = $Fixture.Target, [string] $Extra = '', [switch] $Resume) {
    Invoke-ChildPwsh -Script (Get-RunbookScript -Fixture $Fixture -Target $Target -Extra $Extra -Resume:$Resume)
}

Export-ModuleMember -Function *

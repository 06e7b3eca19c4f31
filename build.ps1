<#
.SYNOPSIS
    The one entry point: Bootstrap, Build, Test, Package, Bench, Demo.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Package', 'Bench', 'Demo')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester only: run the test files whose names match (e.g. 'Connection').
    [string[]] $PesterFilter,

    # Bench only: keys per etcd server (several sizes, e.g. 200000,1000000, are each measured in the same run) and repetitions.
    # (a string, so that 'dotnet pwsh ./build.ps1 -BenchKeys 200000,1000000' from a shell works: -File passes it whole).
    [string[]] $BenchKeys = '200000',
    [int] $BenchRuns = 5,
    # Bench only: run only these benchmarks (file names without .Bench.ps1, e.g. EtcdCompare); all when empty.
    [string[]] $BenchName,
    # Bench only: the key shape of the etcd benchmark (ConfigMaps, the default; EventLike: ~120-byte keys; GlobalLike: a global cluster's mix).
    [string] $BenchKeyShape = 'ConfigMaps',

    # Build (and Bench): also lay out the module precompiled (ReadyToRun, linux-x64) in out/r2r/GlobalUpgrade/<version>,
    # beside the ordinary one: the engine and every dependency carry native code, so a cold process JIT-compiles less.
    [switch] $ReadyToRun,
    # The target of that layout: net8.0 (the module's) or net10.0 (the runtime pwsh 7.6 runs on). Measured with the
    # bench's JIT counts: .NET 10 ignores the precompiled code of a net8.0 layout (crossgen 8) and JIT-compiles the
    # module's methods as if it were plain IL; a net10.0 layout's is used.
    [ValidateSet('net8.0', 'net10.0')]
    [string] $ReadyToRunFramework = 'net8.0',
    # Bench only: build that ReadyToRun layout too and run it as the EtcdCompare bench's other cold row (-OtherModulePath).
    [switch] $BenchReadyToRun
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$Version = ([xml](Get-Content (Join-Path $Root 'Directory.Build.props') -Raw)).Project.PropertyGroup.Version | Select-Object -First 1
$ModuleOut = Join-Path $Out "GlobalUpgrade/$Version"
$SimulatorOut = Join-Path $Out 'simulator'
$ReadyToRunModuleOut = Join-Path $Out "r2r/GlobalUpgrade/$Version"
$ReadyToRunRuntime = 'linux-x64'
$ResultsOut = Join-Path $Out 'test-results'
$NuGetPackages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$PesterModule = Join-Path $NuGetPackages 'pester/5.7.1/tools/Pester.psd1'

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    Write-Verbose "$Command $($Arguments -join ' ')"
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# The pwsh running this script, as a command line a child process can use (under 'dotnet pwsh' it is dotnet + pwsh.dll).
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, [Reflection.Assembly]::GetEntryAssembly().Location)
    }
    return @($process)
}

function Invoke-Bootstrap {
    Invoke-Native dotnet @('tool', 'restore')
    Invoke-Native dotnet @('restore', (Join-Path $Root 'GlobalUpgrade.sln'))
    Invoke-Native dotnet @('restore', (Join-Path $Root '.config/restore/Tools.Restore.csproj'))
    # Command -> Debian package: etcd, SSH and log transfer tests, shellcheck over the shipped shell scripts, kubectl tests.
    $needed = @{ etcd = 'etcd-server'; etcdctl = 'etcd-client'; time = 'time'; sshd = 'openssh-server'; zstd = 'zstd'; shellcheck = 'shellcheck'; kubectl = 'kubernetes-client' }
    $missing = @($needed.Keys | Where-Object { -not (Get-Command $_ -ErrorAction Ignore) -and -not (Test-Path "/usr/sbin/$_") } | ForEach-Object { $needed[$_] })
    if ($missing.Count -eq 0) { return }
    $isDebianRoot = (Test-Path /etc/debian_version) -and ((& id -u) -eq '0')
    if ($isDebianRoot) {
        Write-Host "Installing $($missing -join ', ') (needed by the tests)"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        # Another apt-get (unattended upgrades, a second build) may hold the lock: wait for it rather than fail.
        $wait = @('-o', 'DPkg::Lock::Timeout=300')
        Invoke-Native apt-get @($wait + @('update', '-qq'))
        Invoke-Native apt-get @($wait + @('install', '-y', '-qq', '--no-install-recommends') + $missing)
        # Debian starts the services it installs; the tests start their own on loopback ports.
        foreach ($service in 'etcd', 'ssh') { & systemctl disable --now $service 2>$null | Out-Null }
    }
    else {
        $advice = "Install $($missing -join ' and ') (Debian: apt-get install $($missing -join ' ')); the etcd, SSH, log transfer, shellcheck and kubectl tests need them."
        # CI runs every test: a missing tool stops it here, with the reason, instead of deep in a test.
        if ($env:CI -eq 'true') { throw "CI needs what this machine lacks and cannot install as $(& id -un): $advice" }
        Write-Warning $advice
    }
}

# The views of every module/Formats/<Type>.Format.ps1xml, in name order, as the one file the manifest loads.
function Merge-FormatFile([string] $Source, [string] $Destination) {
    $merged = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions/></Configuration>'
    $target = $merged.SelectSingleNode('/Configuration/ViewDefinitions')  # (empty, the adapter would give a string)
    foreach ($file in Get-ChildItem $Source -Filter *.Format.ps1xml | Sort-Object Name) {
        $views = ([xml](Get-Content -LiteralPath $file.FullName -Raw)).Configuration.ViewDefinitions.View
        if (-not $views) { throw "$($file.FullName) holds no View." }
        $target.AppendChild($merged.CreateComment(" $($file.Name) ")) | Out-Null
        foreach ($view in $views) { $target.AppendChild($merged.ImportNode($view, $true)) | Out-Null }
    }
    $merged.Save($Destination)
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'GlobalUpgrade.sln'), '-c', $Configuration, '-nologo', '-clp:ErrorsOnly')
    $publish = Join-Path $Out 'publish'
    Remove-Item $publish, $ModuleOut -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/GlobalUpgrade/GlobalUpgrade.csproj'), '-c', $Configuration, '-o', $publish, '--no-build', '-nologo')
    Remove-Item $SimulatorOut -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/GlobalUpgrade.Simulator/GlobalUpgrade.Simulator.csproj'), '-c', $Configuration, '-o', $SimulatorOut, '--no-build', '-nologo')
    Write-ModuleLayout -Publish $publish -ModuleOut $ModuleOut
}

# The module as it ships, from a published cmdlet project: cmdlet assembly at the root, everything it loads privately
# under Dependencies/, formats, help, the simulator (published beforehand) and the rehearsal's stand-in package.
# -Help: the help file of a layout built before, copied (building it imports the module, and one process cannot load
# a second GlobalUpgrade.dll).
function Write-ModuleLayout([string] $Publish, [string] $ModuleOut, [string] $Help) {
    Remove-Item $ModuleOut -Recurse -Force -ErrorAction Ignore
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'Dependencies')
    Get-ChildItem $Publish -File | Where-Object Name -NotMatch '^(GlobalUpgrade(\.Models)?\.(dll|pdb)|GlobalUpgrade\.deps\.json|System\.Management\.Automation\.dll)$' |
        Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $Publish 'GlobalUpgrade*.dll'), (Join-Path $Publish 'GlobalUpgrade*.pdb') $ModuleOut -Exclude 'GlobalUpgrade.Engine.*'
    Merge-FormatFile -Source (Join-Path $Root 'module/Formats') -Destination (Join-Path $ModuleOut 'GlobalUpgrade.Format.ps1xml')
    Copy-Item (Join-Path $Root 'module/Preflight') $ModuleOut -Recurse
    Copy-Item (Join-Path $Root 'module/en-US') $ModuleOut -Recurse
    $manifest = Get-Content (Join-Path $Root 'module/GlobalUpgrade.psd1') -Raw
    $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$Version'" | Set-Content (Join-Path $ModuleOut 'GlobalUpgrade.psd1')
    $helpOut = Join-Path $ModuleOut 'en-US/GlobalUpgrade.dll-Help.xml'
    if ($Help) { Copy-Item $Help $helpOut }
    else { & (Join-Path $Root 'docs/Build-Help.ps1') -DocsPath (Join-Path $Root 'docs') -OutputPath $helpOut }

    # Invoke-GlobalUpgradeRehearsal runs the simulator as a program (never loads it) and a stand-in upgrade package.
    Copy-Item $SimulatorOut (Join-Path $ModuleOut 'Simulator') -Recurse
    $standIn = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'Rehearsal/StandInPackage')
    Copy-Item (Join-Path $Root 'tests/fixtures/package/*') $standIn
    Write-Host "Module: $ModuleOut"
}

# The same module, its assemblies precompiled by crossgen2 for linux-x64 (ReadyToRun: native code beside the IL, used
# instead of tier-0 JIT when the runtime accepts it; still framework-dependent). A second, RID-specific compile of
# the cmdlet project and its references (obj/<configuration>/<framework>/linux-x64), then the ordinary layout.
function Invoke-ReadyToRunBuild {
    $publish = Join-Path $Out 'publish-r2r'
    # The SDK reuses the precompiled images in obj when their inputs look older (an updated package, another crossgen):
    # compiled anew every time, so the layout never carries images a runtime would refuse.
    Remove-Item $publish, (Join-Path $Root "src/GlobalUpgrade/obj/$Configuration/$ReadyToRunFramework/$ReadyToRunRuntime/R2R") -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/GlobalUpgrade/GlobalUpgrade.csproj'), '-c', $Configuration, '-o', $publish, '-nologo', '-clp:ErrorsOnly',
        '-r', $ReadyToRunRuntime, '--self-contained', 'false', '-p:PublishReadyToRun=true', "-p:ModuleTargetFramework=$ReadyToRunFramework")
    Write-ModuleLayout -Publish $publish -ModuleOut $ReadyToRunModuleOut -Help (Join-Path $ModuleOut 'en-US/GlobalUpgrade.dll-Help.xml')
}

function Read-TrxCounts([string] $Folder) {
    # Counts per test assembly, so that the summary tells the product's tests from the simulator's own.
    $counts = [ordered]@{}
    foreach ($file in Get-ChildItem $Folder -Filter *.trx -ErrorAction Ignore) {
        # -LiteralPath: two projects finishing in the same second get names like 'x[1].trx', a wildcard to -Path.
        $run = ([xml](Get-Content -LiteralPath $file.FullName -Raw)).TestRun
        $assembly = @($run.TestDefinitions.UnitTest.TestMethod.codeBase | Select-Object -First 1 | ForEach-Object { [IO.Path]::GetFileNameWithoutExtension($_) })[0]
        if (-not $assembly) { $assembly = $file.BaseName }
        $counters = $run.ResultSummary.Counters
        if (-not $counts.Contains($assembly)) { $counts[$assembly] = @{ Passed = 0; Failed = 0; Skipped = 0; FailedNames = @() } }
        $counts[$assembly].Passed += [int]$counters.passed
        $counts[$assembly].Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $counts[$assembly].Skipped += [int]$counters.notExecuted
        $counts[$assembly].FailedNames += @($run.GetElementsByTagName('UnitTestResult') | Where-Object outcome -ne 'Passed' |
            Where-Object outcome -ne 'NotExecuted' | ForEach-Object testName)
    }
    $counts
}

function Invoke-Test {
    Remove-Item $ResultsOut -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force $ResultsOut

    # xunit: every test project of the solution, against the assemblies just built. Tests that leave evidence (the
    # kill tests' instants) write it beside the results.
    $evidence = Join-Path $ResultsOut 'evidence'
    $env:GLOBALUPGRADE_TEST_EVIDENCE = $evidence
    & dotnet test (Join-Path $Root 'GlobalUpgrade.sln') -c $Configuration --no-build -nologo `
        --logger 'trx' --logger 'console;verbosity=normal' --results-directory (Join-Path $ResultsOut 'xunit')
    $xunitExit = $LASTEXITCODE
    $byAssembly = Read-TrxCounts (Join-Path $ResultsOut 'xunit')
    $xunit = @{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($c in $byAssembly.Values) { foreach ($k in 'Passed', 'Failed', 'Skipped') { $xunit[$k] += $c[$k] } }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 } # a crashed test host counts as a failure

    # Pester: the built module as users drive it, in a fresh pwsh.
    $pesterSummary = Join-Path $ResultsOut 'pester-summary.json'
    $env:GLOBALUPGRADE_MODULE = Join-Path $ModuleOut 'GlobalUpgrade.psd1'
    $env:GLOBALUPGRADE_SIMULATOR = Join-Path $SimulatorOut 'GlobalUpgrade.Simulator.dll'
    $env:GLOBALUPGRADE_PWSH = (Get-PwshCommand) -join [IO.Path]::PathSeparator
    $env:GLOBALUPGRADE_ROOT = $Root
    $env:GLOBALUPGRADE_PESTER = $PesterModule
    $env:NO_COLOR = '1'  # every pwsh the tests start renders plain text (pwsh 7.2+ honours NO_COLOR)
    $paths = if ($PesterFilter) { $PesterFilter | ForEach-Object { Get-ChildItem (Join-Path $Root 'tests/pester') -Filter "*$_*.Tests.ps1" } | ForEach-Object FullName } else { Join-Path $Root 'tests/pester' }
    $script = @"
`$PSStyle.OutputRendering = 'PlainText'  # escape codes in messages would make the XML report invalid
Import-Module '$PesterModule'
`$c = New-PesterConfiguration
`$c.Run.Path = @('$(($paths) -join "','")')
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$(Join-Path $ResultsOut 'pester.xml')'
`$r = Invoke-Pester -Configuration `$c
`$failedNames = @(`$r.Failed | ForEach-Object ExpandedPath) + @(`$r.FailedBlocks | ForEach-Object ExpandedPath) + @(`$r.FailedContainers | ForEach-Object Item)
@{ FailedNames = `$failedNames; Passed = [int]`$r.PassedCount; Failed = [int]`$r.FailedCount + [int]`$r.FailedBlocksCount + [int]`$r.FailedContainersCount; Skipped = [int]`$r.SkippedCount + [int]`$r.NotRunCount } | ConvertTo-Json | Set-Content '$pesterSummary'
"@
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script
    $pesterExit = $LASTEXITCODE
    $pester = if (Test-Path $pesterSummary) { Get-Content $pesterSummary -Raw | ConvertFrom-Json -AsHashtable } else { @{ Passed = 0; Failed = 0; Skipped = 0; FailedNames = @() } }
    # A Pester run that crashed or reported nothing counts as a failure, never as green.
    if ($pesterExit -ne 0 -and $pester.Failed -eq 0) { $pester.Failed = 1 }
    if ($pester.Passed + $pester.Failed -eq 0) { $pester.Failed = 1 }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    foreach ($assembly in $byAssembly.Keys) {
        $c = $byAssembly[$assembly]
        $kind = if ($assembly -like '*Simulator*') { 'the simulator itself, not the product' } else { 'the product' }
        Write-Host "xunit $assembly ($kind): $($c.Passed) passed, $($c.Failed) failed, $($c.Skipped) skipped"
    }
    $kills = @(Get-Content (Join-Path $evidence 'kill-instants.tsv') -ErrorAction Ignore | ForEach-Object { $f = $_ -split "`t"; "$($f[1]) ($($f[2]))" } | Sort-Object -Unique)
    Write-Host "Kill tests: $($kills.Count) distinct instants covered: $($kills -join ', ')"
    Write-Host "Pester (the module as users drive it): $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    # The names of what failed, last, so that the tail of a CI log says which tests to look at.
    foreach ($name in @($byAssembly.Values | ForEach-Object { $_.FailedNames }) + @($pester.FailedNames) | Where-Object { $_ }) { Write-Host "FAILED: $name" }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Package {
    $repo = Join-Path $Out 'repo'
    Remove-Item $repo -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force $repo
    $name = "GlobalUpgradeBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $repo -Trusted
    try {
        Publish-PSResource -Path $ModuleOut -Repository $name -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    $package = Get-ChildItem $repo -Filter *.nupkg | Select-Object -First 1
    Write-Host "Package: $($package.FullName)"
}

function Invoke-Demo {
    # The main job on the bundled simulator, in a fresh pwsh: tests/demo/Invoke-Demo.ps1.
    $pwsh = Get-PwshCommand
    $demo = @('-File', (Join-Path $Root 'tests/demo/Invoke-Demo.ps1'), '-ModulePath', (Join-Path $ModuleOut 'GlobalUpgrade.psd1'),
        '-SimulatorPath', (Join-Path $SimulatorOut 'GlobalUpgrade.Simulator.dll'), '-OutputPath', (Join-Path $Out 'demo'))
    & $pwsh[0] @(@($pwsh | Select-Object -Skip 1) + '-NoProfile' + '-NonInteractive' + $demo)
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Bench {
    $other = if ($BenchReadyToRun) { @{ OtherModulePath = Join-Path $ReadyToRunModuleOut 'GlobalUpgrade.psd1' } } else { @{} }
    & (Join-Path $Root 'tests/bench/Invoke-Benchmarks.ps1') @other -ModulePath (Join-Path $ModuleOut 'GlobalUpgrade.psd1') -Pwsh (Get-PwshCommand) -Keys ($BenchKeys -split ',' | ForEach-Object { [int]$_.Trim() }) -Runs $BenchRuns -OutputPath (Join-Path $Out 'bench') -Name ($BenchName -split ",") -KeyShape $BenchKeyShape
}

foreach ($t in $Task) {
    switch ($t) {
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Bootstrap; Invoke-Build; if ($ReadyToRun) { Invoke-ReadyToRunBuild } }
        'Test' { Invoke-Bootstrap; Invoke-Build; Invoke-Test }
        'Package' { Invoke-Bootstrap; Invoke-Build; Invoke-Package }
        'Bench' { Invoke-Bootstrap; Invoke-Build; if ($ReadyToRun -or $BenchReadyToRun) { Invoke-ReadyToRunBuild }; Invoke-Bench }
        'Demo' { Invoke-Bootstrap; Invoke-Build; Invoke-Demo }
    }
}

<#
.SYNOPSIS
    The main job on the bundled simulator: first the readiness check weeks before the window (a pair it blocks, the
    runbook stopping on it before any change, and a clean pair), then a DR pair with a failed machine (what blocks an
    upgrade), then the whole global DR upgrade of a healthy pair with its report. Everything runs locally; nothing
    is left running.
.DESCRIPTION
    Run by `./build.ps1 -Task Demo` after the build. Every object is shown through the module's own views.
.EXAMPLE
    ./tests/demo/Invoke-Demo.ps1 -ModulePath out/GlobalUpgrade/0.1.0/GlobalUpgrade.psd1 -SimulatorPath out/simulator/GlobalUpgrade.Simulator.dll -OutputPath out/demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    # Emptied first; holds the module state, the stand-in packages, the journal and the report.
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# The width an operator's terminal has at least; the views fit in it.
$Width = 120

Remove-Item $OutputPath -Recurse -Force -ErrorAction Ignore
$OutputPath = (New-Item -ItemType Directory -Force $OutputPath).FullName
$env:GLOBALUPGRADE_SIMULATOR = (Resolve-Path $SimulatorPath).Path
$env:GLOBALUPGRADE_STATE_HOME = Join-Path $OutputPath 'state'
Import-Module (Join-Path $PSScriptRoot '../pester/TestHelpers.psm1')
Import-Module $ModulePath

function Write-Section([string] $Title) {
    Write-Host ''
    Write-Host "== $Title" -ForegroundColor Cyan
}

# Prints the command as an operator would type it, then its output as the module's views render it.
function Show([scriptblock] $Command, [string] $Comment) {
    $line = "> $($Command.ToString().Trim())"
    if ($Comment) { $line += "   # $Comment" }
    Write-Host ''
    Write-Host $line -ForegroundColor Yellow
    & $Command | Out-String -Stream -Width $Width | Out-Host
}

# A stand-in upgrade package per node of $Simulator (upgrade.sh with the vendor's flags, a realistic log and exit
# code), and the runbook's arguments for that pair: packages "$Name-primary"/"$Name-standby", the journal $Journal.
function New-DemoRunbook($Simulator, [string] $Name, [string] $Journal, [int] $DurationMs = 4000) {
    foreach ($cluster in 'primary', 'standby') {
        $package = Join-Path $OutputPath "$Name-$cluster"
        Copy-Item (Join-Path $PSScriptRoot '../fixtures/package') $package -Recurse
        Set-Content (Join-Path $package 'version') 'v4.2.0'
        Set-Content (Join-Path $package 'fake.conf') @(
            "GU_FAKE_DURATION_MS=$DurationMs"
            'GU_FAKE_IMAGES=60'
            "GU_SIM_ADMIN_URL=$($Simulator.Clusters[$cluster].Server)"
            "GU_SIM_TOKEN=$($Simulator.Clusters[$cluster].Token)"
        )
    }
    @{
        PackagePath        = Join-Path $OutputPath "$Name-primary"
        StandbyPackagePath = Join-Path $OutputPath "$Name-standby"
        TargetVersion      = 'v4.2.0'
        StandbyVip         = '192.168.131.10'
        JournalPath        = Join-Path $OutputPath $Journal
        EtcdSync           = @{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = $true }
    }
}

Write-Section 'Two weeks before the window: readiness of a pair that is not ready (simulator scenario readiness-old-kubernetes)'
$sim = Start-TestSimulator -Scenario readiness-old-kubernetes -Dr -TimeScale 0.2
try {
    $env:KUBECONFIG = $sim.Kubeconfig
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 | Group-Object State -NoElement | Format-Table Name, Count } 'every documented condition of 4.1 -> 4.2'
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 | Where-Object State -ne Passed | Format-Table Check, Target, State, Actual, Expected } 'fix the Failed, look at the NotChecked'
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Cluster primary | Where-Object State -eq Failed | Format-List Check, Target, Message, @{ n = 'Source'; e = { $_.Detail.Source } } } 'what to do, and the doc that says so'
    Show { (Get-GlobalUpgradePlan -TargetVersion v4.2.0).Readiness } 'the plan says what the runbook would stop on'
    $blocked = New-DemoRunbook $sim 'blocked' 'blocked.journal.json' -DurationMs 300
    Write-Host ''
    Write-Host '> Invoke-GlobalDrUpgrade @blocked   # the window would stop in Preflight, before any change' -ForegroundColor Yellow
    try { Invoke-GlobalDrUpgrade @blocked | Out-String -Stream -Width $Width | Out-Host }
    catch { Write-Host "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" -ForegroundColor Red }
    Get-GlobalCluster | Disconnect-GlobalCluster
}
finally { Stop-TestSimulator $sim }

Write-Section 'Two weeks before the window: readiness of a pair that is ready (simulator scenario readiness-clean)'
$sim = Start-TestSimulator -Scenario readiness-clean -Dr -TimeScale 0.2
try {
    $env:KUBECONFIG = $sim.Kubeconfig
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 | Format-Table Check, Target, State, Actual } 'nothing Failed; NotChecked needs node access, or a push'
    # On a real node MinioPath stays /cpaas/minio (120 GB); here this machine stands in for the primary's node.
    $node = @{ Cluster = 'primary'; Local = $true; Assumption = @{ MinioPath = $OutputPath; MinioMinimumFreeGB = 1 } }
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 @node | Where-Object Check -eq MinioFreeSpace | Format-Table Check, Target, State, Actual, Expected } 'on a control-plane node the node check runs too'
    Show { Test-GlobalUpgradeReadiness -TargetVersion 4.2 @node -Quiet } 'the gate of a script: every condition Passed'
    Get-GlobalCluster | Disconnect-GlobalCluster
}
finally { Stop-TestSimulator $sim }

Write-Section '1. A DR pair whose standby has a failed machine (simulator scenario failed-machine)'
$sim = Start-TestSimulator -Scenario failed-machine -Dr
try {
    $env:KUBECONFIG = $sim.Kubeconfig
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    Show { Get-GlobalMachine }
    Show { Get-GlobalMachine -NotRunning | Format-List Cluster, Name, IP, Phase, Reason, Message } 'the details of what blocks'
    Show { Get-EtcdSyncStatus } 'what the etcd synchronizer reports for the standby'
    Show { Test-GlobalDrConsistency }
    Get-GlobalCluster | Disconnect-GlobalCluster
}
finally { Stop-TestSimulator $sim }

Write-Section '2. The whole global DR upgrade of a healthy pair, v4.1.0 -> v4.2.0 (simulator scenario healthy)'
$sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.2
try {
    $env:KUBECONFIG = $sim.Kubeconfig
    $upgrade = New-DemoRunbook $sim 'package' 'dr.journal.json'
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    Show { Invoke-GlobalDrUpgrade @upgrade -WhatIf } 'the plan and the maintenance window'
    Show { Invoke-GlobalDrUpgrade @upgrade } 'one row per step, as it finishes'
    Show { Get-GlobalCluster | ForEach-Object { Connect-GlobalCluster -Context $_.Context -Role $_.Role } } 'both at v4.2.0'
    $report = Export-GlobalUpgradeReport -JournalPath $upgrade.JournalPath -Path (Join-Path $OutputPath 'report.html')
    Write-Host ''
    Write-Host "Report: $($report.FullName)" -ForegroundColor Green
}
finally { Stop-TestSimulator $sim }

Write-Section '3. Rehearsing the upgrade on a snapshot of a healthy pair (export, then Invoke-GlobalUpgradeRehearsal)'
$sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.2
try {
    $env:KUBECONFIG = $sim.Kubeconfig
    Get-GlobalCluster | Disconnect-GlobalCluster
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    $snapshotPath = Join-Path $OutputPath 'dr-pair.snapshot.json'
    Show { Export-GlobalClusterSnapshot -Path $snapshotPath } 'read-only, no secret values'
    Get-GlobalCluster | Disconnect-GlobalCluster
    $rehearse = @{
        SnapshotPath  = $snapshotPath
        TargetVersion = 'v4.2.0'
        StandbyVip    = '192.168.131.10'
        EtcdSync      = @{ ActiveClusterVip = '192.168.130.10' }
        OutputPath    = Join-Path $OutputPath 'rehearsal'
    }
    $rehearsal = $null
    Show { ($script:rehearsal = Invoke-GlobalUpgradeRehearsal @rehearse) | Format-List Runbook, Completed, ReportPath } 'the simulator seeded from the snapshot; no real cluster'
    Show { $rehearsal.Steps } 'the whole runbook, rehearsed'
    Show { $rehearsal.Findings } 'the report''s first section (Source, Cluster, Code, Message)'
    Write-Host ''
    Write-Host "Rehearsal report: $($rehearsal.ReportPath)" -ForegroundColor Green
}
finally { Stop-TestSimulator $sim }

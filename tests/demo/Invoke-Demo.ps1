<#
.SYNOPSIS
    The main job on the bundled simulator: a DR pair with a failed machine (what blocks an upgrade), then the whole
    global DR upgrade of a healthy pair with its report. Everything runs locally; nothing is left running.
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
    foreach ($cluster in 'primary', 'standby') {
        # A stand-in upgrade package per node: upgrade.sh with the vendor's flags, a realistic log and exit code.
        $package = Join-Path $OutputPath "package-$cluster"
        Copy-Item (Join-Path $PSScriptRoot '../fixtures/package') $package -Recurse
        Set-Content (Join-Path $package 'version') 'v4.2.0'
        Set-Content (Join-Path $package 'fake.conf') @(
            'GU_FAKE_DURATION_MS=4000'
            'GU_FAKE_IMAGES=60'
            "GU_SIM_ADMIN_URL=$($sim.Clusters[$cluster].Server)"
            "GU_SIM_TOKEN=$($sim.Clusters[$cluster].Token)"
        )
    }
    Show { Connect-GlobalCluster -Context primary -Role Primary; Connect-GlobalCluster -Context standby -Role Standby }
    $upgrade = @{
        PackagePath        = Join-Path $OutputPath 'package-primary'
        StandbyPackagePath = Join-Path $OutputPath 'package-standby'
        TargetVersion      = 'v4.2.0'
        StandbyVip         = '192.168.131.10'
        JournalPath        = Join-Path $OutputPath 'dr.journal.json'
        EtcdSync           = @{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = $true }
    }
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

<#
.SYNOPSIS
    The pre-flight checks of a global DR upgrade, as a Pester suite an operator runs against the real clusters.
.EXAMPLE
    $suite = Join-Path (Split-Path (Get-Module GlobalUpgrade -ListAvailable)[0].Path) 'Preflight/GlobalDr.Preflight.Tests.ps1'
    $container = New-PesterContainer -Path $suite -Data @{ PrimaryContext = 'primary'; StandbyContext = 'standby' }
    Invoke-Pester -Container $container -Output Detailed
.NOTES
    Data: PrimaryContext, StandbyContext (required); Kubeconfig (default: $env:KUBECONFIG, then ~/.kube/config);
    PrimaryKubeconfig/StandbyKubeconfig when the two clusters live in different files; TimeoutSec.
    One It per check, named '<Check> on <Target>', failing with the check's own message. If the clusters cannot be
    reached at all the container fails: nothing is reported as passed that was not checked.
#>
param(
    [Parameter(Mandatory)] [string] $PrimaryContext,
    [Parameter(Mandatory)] [string] $StandbyContext,
    [string] $Kubeconfig,
    [string] $PrimaryKubeconfig,
    [string] $StandbyKubeconfig,
    [int] $TimeoutSec = 30
)

BeforeDiscovery {
    # The suite ships inside the module folder: load that very module, whatever PSModulePath says.
    Import-Module (Join-Path (Split-Path $PSScriptRoot) "GlobalUpgrade.psd1") -ErrorAction Stop
    $primaryParams = @{ Context = $PrimaryContext; Role = 'Primary'; Name = $PrimaryContext }
    $standbyParams = @{ Context = $StandbyContext; Role = 'Standby'; Name = $StandbyContext }
    if ($PrimaryKubeconfig -or $Kubeconfig) { $primaryParams.Kubeconfig = if ($PrimaryKubeconfig) { $PrimaryKubeconfig } else { $Kubeconfig } }
    if ($StandbyKubeconfig -or $Kubeconfig) { $standbyParams.Kubeconfig = if ($StandbyKubeconfig) { $StandbyKubeconfig } else { $Kubeconfig } }
    $null = Connect-GlobalCluster @primaryParams -ErrorAction Stop
    $null = Connect-GlobalCluster @standbyParams -ErrorAction Stop
    try {
        $checks = @(Test-GlobalDrConsistency -Primary $PrimaryContext -Standby $StandbyContext -TimeoutSec $TimeoutSec -ErrorAction Stop |
                ForEach-Object { @{ Check = $_.Check; Target = $_.Target; Passed = $_.Passed; Message = $_.Message } })
    }
    finally {
        Disconnect-GlobalCluster -Name $PrimaryContext, $StandbyContext -ErrorAction SilentlyContinue
    }
}

Describe 'Global DR pre-flight' {
    It '<Check> on <Target>' -ForEach $checks {
        $Passed | Should -BeTrue -Because $Message
    }
}

@{
    RootModule           = 'GlobalUpgrade.dll'
    RequiredAssemblies   = @('GlobalUpgrade.Models.dll')
    ModuleVersion        = '0.0.0'  # stamped by build.ps1 from Directory.Build.props
    GUID                 = '5b0f2a59-3c1e-4d5e-9a57-2f6b1f0c9e41'
    Author               = 'GlobalUpgrade maintainers'
    CompanyName          = 'GlobalUpgrade'
    Copyright            = '(c) GlobalUpgrade maintainers. MIT License.'
    Description          = 'Upgrade the global cluster of Alauda Container Platform, with and without global DR: connections, checks, image sync, upgrade, etcd synchronizer lifecycle and a resumable runbook.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @(
        'Formats/CheckResult.Format.ps1xml'
        'Formats/EtcdKeyspaceDiff.Format.ps1xml'
        'Formats/EtcdSyncInstallation.Format.ps1xml'
        'Formats/EtcdSyncStatus.Format.ps1xml'
        'Formats/GlobalCluster.Format.ps1xml'
        'Formats/GlobalClusterSnapshot.Format.ps1xml'
        'Formats/GlobalMachine.Format.ps1xml'
        'Formats/GlobalUpgradePlan.Format.ps1xml'
        'Formats/GlobalUpgradeRehearsal.Format.ps1xml'
        'Formats/GlobalUpgradeRun.Format.ps1xml'
        'Formats/GlobalUpgradeStatus.Format.ps1xml'
        'Formats/ImageSyncRun.Format.ps1xml'
        'Formats/RehearsalFinding.Format.ps1xml'
        'Formats/RunbookStep.Format.ps1xml'
        'Formats/UpgradePathCheck.Format.ps1xml'
        'Formats/UpgradePlanStep.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'Connect-GlobalCluster'
        'Get-GlobalCluster'
        'Disconnect-GlobalCluster'
        'Get-GlobalMachine'
        'Get-EtcdSyncStatus'
        'Test-GlobalDrConsistency'
        'Compare-EtcdKeyspace'
        'Test-EtcdEndpoint'
        'Invoke-GlobalImageSync'
        'Get-GlobalImageSync'
        'Wait-GlobalImageSync'
        'Install-EtcdSync'
        'Uninstall-EtcdSync'
        'Restart-EtcdSync'
        'Start-GlobalUpgrade'
        'Wait-GlobalUpgrade'
        'Get-GlobalUpgradeStatus'
        'Get-GlobalUpgradePlan'
        'Invoke-GlobalDrUpgrade'
        'Invoke-GlobalUpgrade'
        'Export-GlobalUpgradeReport'
        'Test-GlobalUpgradeReadiness'
        'Invoke-GlobalUpgradePreflight'
        'Export-GlobalClusterSnapshot'
        'Invoke-GlobalUpgradeRehearsal'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ACP', 'Alauda', 'Kubernetes', 'Upgrade', 'DR', 'etcd')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://example.invalid/globalupgrade'
            ReleaseNotes = 'See README.md.'
        }
    }
}

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
    # One file, built by build.ps1 from module/Formats/<Type>.Format.ps1xml (a file per type in the source): each
    # format file costs the import ~3.5 ms, 16 of them ~55 ms of a ~130 ms import.
    FormatsToProcess     = @('GlobalUpgrade.Format.ps1xml')
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
        'Approve-GlobalUpgradeGate'
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

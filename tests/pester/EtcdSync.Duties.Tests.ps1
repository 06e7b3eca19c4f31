# The synchronizer's duties on the next line [doc master upgrade/upgrade_global_cluster.mdx, configure/etcd/encryption.mdx]:
# legacy plain-token keys removed once an install is verified, the credentials refreshed when the primary's token or
# etcd CA changed (and nothing done when they did not), and no synchronizer older than v4.3.7 next to etcd encryption.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:Install = 'GlobalUpgrade.Commands.EtcdSync.InstallEtcdSyncCommand'
    $script:ModuleInfos = '/apis/cluster.alauda.io/v1alpha1/moduleinfoes?labelSelector=cpaas.io/module-name%3Detcd-sync'

    function Start-Pair([string] $Scenario) {
        $sim = Start-TestSimulator -Scenario $Scenario -Dr -TimeScale 0.25
        Connect-SimPair $sim
        $sim
    }

    function Get-SyncInfo($Simulator) { @((Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path $ModuleInfos).items) }

    # Replaces one key of a secret on a cluster, as an operator rotating it would.
    function Set-SecretData($Simulator, [string] $Cluster, [string] $Namespace, [string] $Name, [string] $Key, [string] $Value) {
        $path = "/api/v1/namespaces/$Namespace/secrets/$Name"
        $secret = Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path $path
        $secret.data.$Key = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Value))
        Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path $path -Method PUT -Body $secret | Out-Null
    }

    function Install-Same { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.3.1 -Confirm:$false @args }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'Legacy plain-token keys in the synchronizer''s settings' -Tag CI {
    BeforeAll { $script:sim = Start-Pair etcd-sync-duties }
    AfterAll { Stop-TestSimulator $sim }

    It '-WhatIf names them (never their value) and removes nothing' {
        $script = @"
Import-Module '$env:GLOBALUPGRADE_MODULE'
Connect-GlobalCluster -Kubeconfig '$($sim.Kubeconfig)' -Context primary -Role Primary | Out-Null
Connect-GlobalCluster -Kubeconfig '$($sim.Kubeconfig)' -Context standby -Role Standby | Out-Null
Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.3.1 -WhatIf
"@
        $run = Invoke-ChildPwsh -Script $script
        $run.Output | Should -Match 'remove the legacy plain-token keys spec\.config\.active\.token'
        "$($run.Output)$($run.Error)" | Should -Not -Match 'legacy-plain-token-value'
        (Get-SyncInfo $sim)[0].spec.config.active.token | Should -Be 'legacy-plain-token-value'
    }

    It 'removes them once the install is verified, and reports their paths' {
        $result = Install-Same -WarningAction SilentlyContinue
        $result.RemovedLegacyTokenKeys | Should -Be @('active.token')
        $result.Changed | Should -BeTrue
        $config = (Get-SyncInfo $sim)[0].spec.config
        $config.active.PSObject.Properties.Name | Should -Not -Contain 'token'
        $config.active.vip | Should -Be '192.168.130.10'
        $config.active.tokenSecretName | Should -Be 'etcd-sync-active-cluster-token'
    }

    It 'a re-run finds none and changes nothing' {
        $result = Install-Same -WarningAction SilentlyContinue
        $result.RemovedLegacyTokenKeys | Should -HaveCount 0
        $result.Changed | Should -BeFalse
    }
}

Describe 'The synchronizer''s credentials: the primary''s token and etcd CA' -Tag CI {
    BeforeAll { $script:sim = Start-Pair etcd-sync-duties }
    AfterAll { Stop-TestSimulator $sim }

    It 'Get-EtcdSyncStatus says it does not know them before any install recorded them' {
        $status = Get-EtcdSyncStatus
        $status.CredentialsChanged | Should -BeNullOrEmpty
        $status.CredentialsReason | Should -Match 'no record'
    }

    It '-RefreshCredentials without a record reinstalls once (the bootstrap job runs) and records them' {
        $before = (Get-SyncInfo $sim)[0].metadata.uid
        $result = Install-Same -RefreshCredentials -WarningAction SilentlyContinue
        $result.CredentialsRefreshed | Should -BeTrue
        (Get-SyncInfo $sim)[0].metadata.uid | Should -Not -Be $before
        (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/batch/v1/namespaces/cpaas-system/jobs/etcd-sync-bootstrap').status.succeeded | Should -Be 1
        (Get-EtcdSyncStatus).CredentialsChanged | Should -BeFalse
    }

    It '-RefreshCredentials when nothing changed does nothing and says so' {
        $uid = (Get-SyncInfo $sim)[0].metadata.uid
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.3.1 -RefreshCredentials -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match 'nothing to refresh'
        $result.Changed | Should -BeFalse
        $result.CredentialsRefreshed | Should -BeFalse
        (Get-SyncInfo $sim)[0].metadata.uid | Should -Be $uid
    }

    It 'a rotated primary token is reported by Get-EtcdSyncStatus and by Install-EtcdSync, never shown' {
        Set-SecretData $sim primary cpaas-system k8sadmin token 'rotated-token-0123456789'
        $status = Get-EtcdSyncStatus
        $status.CredentialsChanged | Should -BeTrue
        $status.CredentialsReason | Should -Match "primary's token"
        $status.CredentialsReason | Should -Not -Match "etcd CA"
        Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.3.1 -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match '-RefreshCredentials'
        ($status | Out-String) + "$warned" | Should -Not -Match 'rotated-token'
    }

    It '-RefreshCredentials reinstalls with the new token, and then the credentials are current' {
        $uid = (Get-SyncInfo $sim)[0].metadata.uid
        $result = Install-Same -RefreshCredentials -WarningAction SilentlyContinue
        $result.CredentialsRefreshed | Should -BeTrue
        (Get-SyncInfo $sim)[0].metadata.uid | Should -Not -Be $uid
        $primaryToken = (Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/cpaas-system/secrets/k8sadmin').data.token
        (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token').data.token | Should -Be $primaryToken
        (Get-EtcdSyncStatus).CredentialsChanged | Should -BeFalse
    }

    It 'a changed etcd CA on the primary is reported' {
        Set-SecretData $sim primary kube-system etcd-ca tls.crt 'another CA'
        $status = Get-EtcdSyncStatus
        $status.CredentialsChanged | Should -BeTrue
        $status.CredentialsReason | Should -Match 'etcd CA'
    }
}

Describe 'etcd encryption (deterministic) needs the synchronizer v4.3.7 or later' -Tag CI {
    BeforeAll { $script:sim = Start-Pair etcd-encryption }
    AfterAll { Stop-TestSimulator $sim }

    It 'refuses to install v4.3.1 with the documented reason, changing nothing' {
        $before = Get-SimStore $sim standby
        $refused = Get-Failure { Install-Same }
        $refused.FullyQualifiedErrorId | Should -BeExactly "EtcdSyncTooOldForEncryption,$Install"
        $refused.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $refused.Exception.Message | Should -Match 'v4\.3\.7 or later'
        $refused.Exception.Message | Should -Match 'SeedBundle'
        $refused.Exception.Message | Should -Match '-Version'
        Get-SimStore $sim standby | Should -Be $before
    }

    It 'readiness fails EtcdSyncEncryptionCompatible where the synchronizer v4.3.1 runs' {
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3 -WarningAction SilentlyContinue | Where-Object Check -EQ 'EtcdSyncEncryptionCompatible')
        ($results | Where-Object Target -Like 'standby/*').State | Should -Be 'Failed'
        ($results | Where-Object Target -EQ 'primary').State | Should -Be 'Passed'
    }

    It 'installs v4.3.7, and readiness then passes' {
        Uninstall-EtcdSync -Confirm:$false
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.3.7 -Confirm:$false -WarningAction SilentlyContinue
        $result.Version | Should -Be 'v4.3.7'
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3 -WarningAction SilentlyContinue | Where-Object Check -EQ 'EtcdSyncEncryptionCompatible')
        ($results | Where-Object Target -Like 'standby/*').State | Should -Be 'Passed'
    }
}

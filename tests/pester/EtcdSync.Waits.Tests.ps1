# The named, bounded waits of Install-EtcdSync: a synchronizer that never connects (a wrong active etcd endpoint) is
# reported within the phase's own budget (-Assumption), naming the phase that stalled and its objects' last state.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    $script:Install = 'GlobalUpgrade.Commands.EtcdSync.InstallEtcdSyncCommand'

    function Get-SyncPodNames($Simulator) {
        @((Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/api/v1/namespaces/cpaas-system/pods?labelSelector=app%3Detcd-sync').items | ForEach-Object { $_.metadata.name })
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'Install-EtcdSync on a 4.3.1 pair whose active etcd endpoint is wrong' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario v4.3.1 -Dr -TimeScale 0.25
        Connect-SimPair $sim
        Uninstall-EtcdSync -Confirm:$false
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'stops within EtcdSyncStartTimeout with EtcdSyncStalled, phase SyncStarted, naming the leader, both pods with their last log line and the lease' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failed = @(Get-Failure { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -ActiveEtcdEndpoint https://192.168.130.99:2379 -SkipEndpointCheck -Assumption @{ EtcdSyncStartTimeout = '4s' } -Confirm:$false })
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'the phase''s 4 s budget ends the wait, not -TimeoutSec (600 s)'
        $failed[0].FullyQualifiedErrorId | Should -BeExactly "EtcdSyncStalled,$Install"
        $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $failed[0].TargetObject | Should -Be 'SyncStarted'
        $message = $failed[0].Exception.Message
        $message | Should -Match ([regex]::Escape("waiting for log line 'Start Sync update'"))
        $message | Should -Match 'its budget of 4 s ran out'
        $message | Should -Match 'EtcdSyncStartTimeout'

        $leader = (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/coordination.k8s.io/v1/namespaces/cpaas-system/leases/etcd-sync-mirror').spec.holderIdentity
        $leader | Should -Not -BeNullOrEmpty
        $message | Should -Match ([regex]::Escape("lease cpaas-system/etcd-sync-mirror: holder $leader"))
        $pods = Get-SyncPodNames $sim
        $pods | Should -HaveCount 2 -Because 'from 4.3 the synchronizer runs more than one replica, the lease holder leading'
        foreach ($pod in $pods) { $message | Should -Match ([regex]::Escape("pod $pod`: Running, 1/1 ready")) }
        $message | Should -Match ([regex]::Escape('cannot connect to the active cluster: etcd endpoint https://192.168.130.99:2379: dial tcp 192.168.130.99:2379: i/o timeout'))
        $message | Should -Match 'Active Global Cluster ETCD Endpoints'
    }

    It 'installs with the right endpoint afterwards: the same waits pass' {
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Assumption @{ EtcdSyncStartTimeout = '60s' } -Confirm:$false
        $result.LeaderPod | Should -Be (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/coordination.k8s.io/v1/namespaces/cpaas-system/leases/etcd-sync-mirror').spec.holderIdentity
        $result.SyncStartedAt | Should -Not -BeNullOrEmpty
    }
}

Describe 'The waits'' budgets as -Assumption' -Tag CI {
    It 'refuses a budget that is not a positive duration before asking a cluster' {
        $sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        try {
            Connect-SimPair $sim
            $failed = @(Get-Failure { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Assumption @{ EtcdSyncPodReadyTimeout = 'soon' } -Confirm:$false })
            $failed[0].FullyQualifiedErrorId | Should -BeExactly "InvalidProfileOverride,$Install"
            $failed[0].Exception.Message | Should -Match 'EtcdSyncPodReadyTimeout'
        }
        finally { Stop-TestSimulator $sim }
    }
}

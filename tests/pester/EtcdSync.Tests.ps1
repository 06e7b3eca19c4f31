# Uninstall-EtcdSync, Install-EtcdSync and Restart-EtcdSync against simulated DR pairs: each version's procedure,
# the consistency guard, -WhatIf, idempotence, watches that drop, pods that never start, and the token kept secret.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:Uninstall = 'GlobalUpgrade.Commands.EtcdSync.UninstallEtcdSyncCommand'
    $script:Install = 'GlobalUpgrade.Commands.EtcdSync.InstallEtcdSyncCommand'

    function Connect-Pair($Simulator) {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
    }

    function Get-Both($Simulator) {
        @{ primary = Get-SimStore $Simulator primary; standby = Get-SimStore $Simulator standby }
    }

    function Get-SimItems($Simulator, [string] $Cluster, [string] $Path) {
        @((Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path $Path).items)
    }

    function Get-ModuleInfos($Simulator, [string] $Cluster, [string] $Module) {
        Get-SimItems $Simulator $Cluster "/apis/cluster.alauda.io/v1alpha1/moduleinfoes?labelSelector=cpaas.io/module-name%3D$Module"
    }

    function Get-SyncPods($Simulator, [string] $Cluster = 'standby') {
        Get-SimItems $Simulator $Cluster '/api/v1/namespaces/cpaas-system/pods?labelSelector=app%3Detcd-sync'
    }

    # The objects the synchronizer copies (outside the platform namespaces): uninstalling must not touch them.
    function Get-AppObjects($Simulator, [string] $Cluster) {
        Get-SimStore $Simulator $Cluster | Where-Object { $_ -match '"namespace":"app\d"' }
    }

    # Runs a cmdlet that fails with a terminating error and returns that ErrorRecord.
    function Get-Failure([scriptblock] $Command) {
        try { & $Command | Out-Null } catch { return $_ }
        throw 'expected the command to fail'
    }

    function Get-Leader($Simulator) {
        (Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/apis/coordination.k8s.io/v1/namespaces/cpaas-system/leases/etcd-sync-mirror').spec.holderIdentity
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'A 4.x DR pair: the plugin on the standby' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        Connect-Pair $sim
    }
    AfterAll { Stop-TestSimulator $sim }

    It '-WhatIf changes nothing on either cluster' {
        $before = Get-Both $sim
        Uninstall-EtcdSync -WhatIf
        Uninstall-EtcdSync -Force -WhatIf
        Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -WhatIf
        Restart-EtcdSync -WhatIf
        $after = Get-Both $sim
        Compare-Object $before.primary $after.primary | Should -BeNullOrEmpty
        Compare-Object $before.standby $after.standby | Should -BeNullOrEmpty
    }

    It 'uninstalls: the ModuleInfo (found by labels) and the pods are gone, no synced object is touched' {
        $apps = Get-AppObjects $sim standby
        Get-ModuleInfos $sim standby etcd-sync | Should -HaveCount 1
        Uninstall-EtcdSync -Confirm:$false
        Get-ModuleInfos $sim standby etcd-sync | Should -HaveCount 0
        Get-SyncPods $sim | Should -HaveCount 0
        Compare-Object $apps (Get-AppObjects $sim standby) | Should -BeNullOrEmpty
        Uninstall-EtcdSync -Confirm:$false -WarningVariable nothing -WarningAction SilentlyContinue
        "$nothing" | Should -Match 'not installed'
    }

    It 'installs: token secret, labelled ModuleInfo with the ModuleConfig''s version and mapped config, a syncing leader restarted once' {
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token' -Method DELETE | Out-Null
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -Config @{ printDetailLogs = $true }
        $result | Should -BeOfType ([GlobalUpgrade.EtcdSyncInstallation])
        $result.Changed | Should -BeTrue
        $result.Phase | Should -Be 'Running'
        $result.Version | Should -Be 'v4.1.0'
        $result.SyncStartedAt | Should -Not -BeNullOrEmpty
        $result.LeaderPod | Should -Be (Get-Leader $sim)

        $info = Get-ModuleInfos $sim standby etcd-sync
        $info | Should -HaveCount 1
        $info.metadata.name | Should -Be $result.ModuleInfo
        $info.metadata.labels.'cpaas.io/cluster-name' | Should -Be 'global'
        $info.metadata.labels.'cpaas.io/module-type' | Should -Be 'plugin'
        $info.spec.version | Should -Be 'v4.1.0'
        $info.spec.config.activeClusterVip | Should -Be '192.168.130.10'
        $info.spec.config.activeEtcdEndpoints | Should -Be 'https://192.168.130.10:2379'
        $info.spec.config.standbyEtcdEndpoints | Should -Be 'https://192.168.131.10:2379'
        $info.spec.config.activeClusterTokenSecret | Should -Be 'etcd-sync-active-cluster-token'
        $info.spec.config.dataCheckInterval | Should -Be 90
        $info.spec.config.printDetailLogs | Should -BeTrue

        $primaryToken = (Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/cpaas-system/secrets/k8sadmin').data.token
        (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token').data.token | Should -Be $primaryToken

        # The documented restart: one leader pod was deleted, and the result names its successor.
        $deletes = (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests') | Where-Object { $_.method -eq 'DELETE' -and $_.path -match '/pods/' }
        @($deletes) | Should -HaveCount 1
        $deletes.path | Should -Not -Match $result.LeaderPod
        (Get-EtcdSyncStatus).IsInSync | Should -BeTrue
    }

    It 'is idempotent: a second run changes nothing and says so' {
        $before = Get-Both $sim
        $again = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -Config @{ printDetailLogs = $true } -WarningVariable said -WarningAction SilentlyContinue
        $again.Changed | Should -BeFalse
        "$said" | Should -Match 'nothing changed'
        $after = Get-Both $sim
        Compare-Object $before.standby $after.standby | Should -BeNullOrEmpty
        Compare-Object $before.primary $after.primary | Should -BeNullOrEmpty
    }

    It 'restarts the leader: a new pod leads and logs Start Sync update' {
        $old = Get-Leader $sim
        $new = Restart-EtcdSync -PassThru
        $new.LeaderPod | Should -Not -Be $old
        $new.LeaderPod | Should -Be (Get-Leader $sim)
        Restart-EtcdSync | Should -BeNullOrEmpty
    }

    It 'survives watches dropped mid-wait (dropWatchAfterMs) and resumes them' {
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method POST -Body @(@{ pathRegex = 'watch=true'; dropWatchAfterMs = 150 }) | Out-Null
        try {
            $old = Get-Leader $sim
            (Restart-EtcdSync -PassThru -TimeoutSec 30).LeaderPod | Should -Not -Be $old
        }
        finally { Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method DELETE | Out-Null }
        $watches = @((Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests') | Where-Object { $_.path -match 'watch=true' })
        $watches.Count | Should -BeGreaterThan 2 -Because 'dropped watches were resumed'
    }

    It 'never shows the primary''s token: output, verbose, debug, warnings, errors and the transcript' {
        $token = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/cpaas-system/secrets/k8sadmin').data.token))
        $token.Length | Should -BeGreaterThan 8
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token' -Method DELETE | Out-Null
        $transcript = Join-Path $sim.Directory 'transcript.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            $streams = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -Config @{ printDetailLogs = $true } -Verbose -Debug *>&1 | Out-String
            $streams += Uninstall-EtcdSync -WhatIf -Verbose -Debug *>&1 | Out-String
            $streams += Restart-EtcdSync -Verbose -Debug -PassThru *>&1 | Out-String
        }
        finally { Stop-Transcript | Out-Null }
        $streams | Should -Match 'etcd-sync-active-cluster-token' -Because 'the secret was written'
        $streams | Should -Not -Match ([regex]::Escape($token))
        Get-Content $transcript -Raw | Should -Not -Match ([regex]::Escape($token))
        ($Error | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

    It 'checks port 2379 of both VIPs first and changes nothing when one is closed' {
        # An endpoint that answers (the simulator's TLS port: the probe's TLS refusal proves it is reachable) and a closed one.
        $answering = [uri]$sim.Clusters['standby'].Server
        $closed = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $closed.Start(); $closedPort = $closed.LocalEndpoint.Port; $closed.Stop()
        $before = Get-Both $sim
        $refused = Get-Failure { Install-EtcdSync -ActiveClusterVip 127.0.0.1 -ActiveEtcdEndpoint "https://127.0.0.1:$($answering.Port)" -StandbyEtcdEndpoint "https://127.0.0.1:$closedPort" -Confirm:$false }
        $refused.FullyQualifiedErrorId | Should -BeExactly "EtcdEndpointUnreachable,$Install"
        $refused.Exception.Message | Should -Match ":$closedPort"
        $refused.Exception.Message | Should -Not -Match ":$($answering.Port)\b"
        Compare-Object $before.standby (Get-SimStore $sim standby) | Should -BeNullOrEmpty
        Install-EtcdSync -ActiveClusterVip 127.0.0.1 -ActiveEtcdEndpoint "https://127.0.0.1:$($answering.Port)" -StandbyEtcdEndpoint "https://127.0.0.1:$($answering.Port)" -WhatIf
    }
}

Describe 'The guard: a DR pair that is not consistent' -Tag CI {
    It '<Scenario>: refuses with StandbyNotConsistent naming <Check>, changes nothing; -Force -WhatIf still changes nothing' -ForEach @(
        @{ Scenario = 'missed-keys'; Check = 'StandbyInSync' }
        @{ Scenario = 'failed-machine'; Check = 'MachinesRunning' }
    ) {
        $sim = Start-TestSimulator -Scenario $Scenario -Dr -TimeScale 0.25
        try {
            Connect-Pair $sim
            $before = Get-Both $sim
            $refused = @(Get-Failure { Uninstall-EtcdSync -Confirm:$false })
            $refused[0].FullyQualifiedErrorId | Should -BeExactly "StandbyNotConsistent,$Uninstall"
            $refused[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $refused[0].Exception.Message | Should -Match $Check
            Uninstall-EtcdSync -Force -WhatIf -WarningAction SilentlyContinue
            $after = Get-Both $sim
            Compare-Object $before.standby $after.standby | Should -BeNullOrEmpty
            Compare-Object $before.primary $after.primary | Should -BeNullOrEmpty

            Uninstall-EtcdSync -Force -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
            "$warned" | Should -Match $Check
            Get-ModuleInfos $sim standby etcd-sync | Should -HaveCount 0
        }
        finally { Stop-TestSimulator $sim }
    }

    It 'missed keys: Restart-EtcdSync cures them, then the guard lets the uninstall through' {
        $sim = Start-TestSimulator -Scenario missed-keys -Dr -TimeScale 0.25
        try {
            Connect-Pair $sim
            (Get-EtcdSyncStatus).MissedCount | Should -BeGreaterThan 0
            Restart-EtcdSync
            $deadline = (Get-Date).AddSeconds(10)
            while (-not ($status = Get-EtcdSyncStatus).IsInSync -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $status.IsInSync | Should -BeTrue
            Uninstall-EtcdSync -Confirm:$false
            Get-ModuleInfos $sim standby etcd-sync | Should -HaveCount 0
        }
        finally { Stop-TestSimulator $sim }
    }
}

Describe 'Older platforms: the synchronizer on the primary' -Tag CI {
    It '3.18: removes the EtcdSync plugin''s ModuleInfo on the primary and nothing on the standby' {
        $sim = Start-TestSimulator -Scenario v3.18 -Dr -TimeScale 0.25
        try {
            Connect-Pair $sim
            Get-ModuleInfos $sim primary etcdsync | Should -HaveCount 1
            $standby = Get-SimStore $sim standby
            Uninstall-EtcdSync -Confirm:$false
            Get-ModuleInfos $sim primary etcdsync | Should -HaveCount 0
            Compare-Object $standby (Get-SimStore $sim standby) | Should -BeNullOrEmpty
        }
        finally { Stop-TestSimulator $sim }
    }

    It '3.16: removes the Helm-era objects through the API, then asks for a node for helm3 del, or runs it there' {
        $sim = Start-TestSimulator -Scenario v3.16 -Dr -TimeScale 0.25
        $bin = Join-Path $sim.Directory 'bin'
        $savedPath = $env:PATH
        try {
            Connect-Pair $sim
            $env:PATH = ($env:PATH -split [IO.Path]::PathSeparator | Where-Object { -not (Test-Path (Join-Path $_ 'helm3')) }) -join [IO.Path]::PathSeparator
            $needsNode = @(Get-Failure { Uninstall-EtcdSync -Confirm:$false })
            $needsNode[0].FullyQualifiedErrorId | Should -BeExactly "HelmReleaseRemovalNeedsNode,$Uninstall"
            $needsNode[0].Exception.Message | Should -Match ([regex]::Escape('helm3 del etcd-sync -n default'))
            $needsNode[0].Exception.Message | Should -Match ([regex]::Escape('helm3 del etcd-sync -n cpaas-system'))
            foreach ($name in 'etcd-sync-env', 'etcd-sync-ignore-text') {
                { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path "/api/v1/namespaces/kube-system/configmaps/$name" } | Should -Throw
            }
            foreach ($name in 'etcd-master-mirror-cert', 'etcd-slave-mirror-cert') {
                { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path "/api/v1/namespaces/kube-system/secrets/$name" } | Should -Throw
            }
            { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/apps/v1/namespaces/kube-system/deployments/etcd-mirror-etcd-mirror' } | Should -Throw

            # On a node with helm3 (a stand-in that records its arguments), the release goes too.
            New-Item -ItemType Directory $bin | Out-Null
            $calls = Join-Path $sim.Directory 'helm3.calls'
            Set-Content (Join-Path $bin 'helm3') "#!/bin/sh`necho `"`$*`" >> '$calls'`n"
            chmod +x (Join-Path $bin 'helm3')
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$env:PATH"
            Uninstall-EtcdSync -Confirm:$false
            Get-Content $calls | Should -Be @('del etcd-sync -n default', 'del etcd-sync -n cpaas-system')
        }
        finally {
            $env:PATH = $savedPath
            Stop-TestSimulator $sim
        }
    }
}

Describe 'A synchronizer pod that never becomes Ready' -Tag CI {
    It 'times out naming the pod and its last status; Ctrl+C stops the wait at once' {
        $sim = Start-TestSimulator -Scenario pod-never-ready -Dr -TimeScale 0.25
        try {
            Connect-Pair $sim
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $failed = @(Get-Failure { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -TimeoutSec 4 })
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
            $failed[0].FullyQualifiedErrorId | Should -BeExactly "WaitTimedOut,$Install"
            $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $pod = (Get-SyncPods $sim)[0].metadata.name
            $failed[0].Exception.Message | Should -Match ([regex]::Escape($pod))
            $failed[0].Exception.Message | Should -Match 'Pending'
            $failed[0].Exception.Message | Should -Match 'ImagePullBackOff'

            # Ctrl+C (StopProcessing) ends the wait at once.
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$env:GLOBALUPGRADE_MODULE'; Connect-GlobalCluster -Kubeconfig '$($sim.Kubeconfig)' -Context primary -Role Primary | Out-Null; Connect-GlobalCluster -Kubeconfig '$($sim.Kubeconfig)' -Context standby -Role Standby | Out-Null; Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -TimeoutSec 600 -Verbose")
            $async = $ps.BeginInvoke()
            $deadline = (Get-Date).AddSeconds(20)
            while (-not ($ps.Streams.Verbose | Where-Object Message -Match "waiting for") -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Milliseconds 1500
            $stopping = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopping.Elapsed.TotalSeconds | Should -BeLessThan 3
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Dispose()
        }
        finally { Stop-TestSimulator $sim }
    }
}

Describe 'A 4.3.1 plugin: the bootstrap job runs first' -Tag CI {
    It 'waits for job etcd-sync-bootstrap to complete, then for the leader; the latest ModuleConfig is the default' {
        $sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        try {
            Connect-Pair $sim
            Uninstall-EtcdSync -Confirm:$false
            $form = @{ activeClusterVip = ''; activeEtcdEndpoints = ''; standbyEtcdEndpoints = ''; activeClusterTokenSecret = 'etcd-sync-active-cluster-token'; dataCheckInterval = 60 }
            Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/objects' -Method POST -Body @(@{
                    apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleConfig'
                    metadata   = @{ name = 'etcd-sync-v4.3.1'; labels = @{ 'cpaas.io/module-name' = 'etcd-sync'; 'cpaas.io/module-version' = 'v4.3.1' } }
                    spec       = @{ name = 'etcd-sync'; version = 'v4.3.1'; config = $form }
                }) | Out-Null
            $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Verbose 4>&1
            $verbose = ($result | Where-Object { $_ -is [Management.Automation.VerboseRecord] }) -join "`n"
            $installation = $result | Where-Object { $_ -is [GlobalUpgrade.EtcdSyncInstallation] }
            $installation.Version | Should -Be 'v4.3.1'
            $verbose | Should -Match 'job cpaas-system/etcd-sync-bootstrap to complete: done'
            $job = Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/batch/v1/namespaces/cpaas-system/jobs/etcd-sync-bootstrap'
            $job.status.succeeded | Should -Be 1
        }
        finally { Stop-TestSimulator $sim }
    }
}

# Uninstall-EtcdSync, Install-EtcdSync and Restart-EtcdSync against simulated DR pairs: each version's procedure,
# the consistency guard, -WhatIf, idempotence, watches that drop, pods that never start, and the token kept secret.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:Uninstall = 'GlobalUpgrade.Commands.EtcdSync.UninstallEtcdSyncCommand'
    $script:Install = 'GlobalUpgrade.Commands.EtcdSync.InstallEtcdSyncCommand'

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
    function Get-Leader($Simulator) {
        (Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/apis/coordination.k8s.io/v1/namespaces/cpaas-system/leases/etcd-sync-mirror').spec.holderIdentity
    }

    # Before 4.3 the docs act on `kubectl get po -l app=etcd-sync --no-headers | head -1`: the first pod by name.
    function Get-FirstSyncPod($Simulator) {
        @(Get-SyncPods $Simulator | Where-Object { -not $_.metadata.deletionTimestamp } | ForEach-Object { $_.metadata.name } | Sort-Object -CaseSensitive)[0]
    }

    # The standby's token secret as JSON, or '' when there is none (4.3.1+ only; a 4.1 scenario may or may not seed one).
    function Get-TokenSecret($Simulator) {
        try { Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token' | ConvertTo-Json -Depth 10 }
        catch { '' }
    }

    function Get-Requests($Simulator, [string] $Cluster) { (Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/requests') | ForEach-Object { $_ } }

    function Clear-Requests($Simulator) {
        foreach ($c in 'primary', 'standby') { Invoke-SimAdmin -Simulator $Simulator -Cluster $c -Path '/_sim/requests' -Method DELETE | Out-Null }
    }

    # Sets the platform version a cluster reports, as reaching it would (before Connect-GlobalCluster reads it).
    function Set-PlatformVersion($Simulator, [string] $Cluster, [string] $Version) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/platform-version' -Method POST -Body @{ version = $Version } | Out-Null
    }

    # The value at a dotted path of an object, and every leaf path an object holds.
    function Get-At($Object, [string] $Path) { foreach ($p in $Path -split '\.') { $Object = $Object.$p }; $Object }
    function Get-LeafPaths($Object, [string] $Prefix = '') {
        foreach ($p in $Object.PSObject.Properties) {
            if ($p.Value -is [pscustomobject]) { Get-LeafPaths $p.Value "$Prefix$($p.Name)." } else { "$Prefix$($p.Name)" }
        }
    }

    # label -> path of the install form of a published plugin version (its ModuleConfig's deployDescriptors).
    function Get-FormPaths($Simulator, [string] $Version) {
        $paths = @{}
        foreach ($d in (Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path "/apis/cluster.alauda.io/v1alpha1/moduleconfigs/etcd-sync-$Version").spec.deployDescriptors) { $paths[$d.displayName] = $d.path }
        $paths
    }

    # A healthy connected pair whose ProductBases report $Version, with exactly the $Published plugin versions.
    function Start-PairAt([string] $Version, [string[]] $Published) {
        $sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        foreach ($c in 'primary', 'standby') { Set-PlatformVersion $sim $c $Version }
        Connect-SimPair $sim
        Set-PublishedPlugin $sim $Published
        $sim
    }

    # The install form of a version line as its ModuleConfig describes it: labels (docs) -> paths, nested by dots.
    function New-FormDescriptors([switch] $V431) {
        $fields = [ordered]@{}
        if ($V431) { $fields['Active Global Cluster VIP'] = 'active.vip' }
        $fields['Active Global Cluster ETCD Endpoints'] = 'active.etcdEndpoints'
        if ($V431) {
            $fields['Standby Cluster ETCD Endpoints'] = 'standby.etcdEndpoints'
            $fields['Active Global Cluster Token Secret'] = 'active.tokenSecret'
        }
        $fields['Data Check Interval'] = 'dataCheckInterval'
        $fields['Print detail logs'] = 'printDetailLogs'
        @($fields.GetEnumerator() | ForEach-Object { @{ displayName = $_.Key; path = $_.Value; 'x-descriptors' = @('urn:alm:descriptor:com.tectonic.ui:text') } })
    }

    # Publishes exactly these etcd-sync plugin versions on the standby. A version takes the form of a ModuleConfig of
    # its line that the simulator published (its descriptors and defaults), else the documented labels at paths of our own.
    function Set-PublishedPlugin($Simulator, [string[]] $Versions) {
        $published = @(Get-SimItems $Simulator standby '/apis/cluster.alauda.io/v1alpha1/moduleconfigs?labelSelector=cpaas.io/module-name%3Detcd-sync')
        $script:seenConfigs = @($published) + @($script:seenConfigs | Where-Object { $_ })
        foreach ($old in $published) {
            Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path "/apis/cluster.alauda.io/v1alpha1/moduleconfigs/$($old.metadata.name)" -Method DELETE | Out-Null
        }
        foreach ($v in $Versions) {
            $line = ([version]$v.TrimStart('v')).ToString(2)
            $v431 = [version]$v.TrimStart('v') -ge [version]'4.3.1'
            $template = $script:seenConfigs | Where-Object { $_.spec.deployDescriptors -and ([version]$_.spec.version.TrimStart('v')).ToString(2) -eq $line -and (([version]$_.spec.version.TrimStart('v') -ge [version]'4.3.1') -eq $v431) } | Select-Object -First 1
            $spec = if ($template) { @{ name = 'etcd-sync'; version = $v; config = $template.spec.config; deployDescriptors = @($template.spec.deployDescriptors) } }
            else { @{ name = 'etcd-sync'; version = $v; config = @{ dataCheckInterval = 60; printDetailLogs = $false }; deployDescriptors = New-FormDescriptors -V431:$v431 } }
            Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/_sim/objects' -Method POST -Body @(@{
                    apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleConfig'
                    metadata   = @{ name = "etcd-sync-$v"; labels = @{ 'cpaas.io/module-name' = 'etcd-sync'; 'cpaas.io/module-version' = $v } }
                    spec       = $spec
                }) | Out-Null
        }
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'A 4.x DR pair: the plugin on the standby' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        Connect-SimPair $sim
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

    It 'installs the 4.1 form: labelled ModuleInfo of the 4.1 plugin, fields at their labels'' paths, no VIP or token secret, no lease; the first pod restarted once' {
        Set-PublishedPlugin $sim 'v4.1.0', 'v4.1.2', 'v4.0.5', 'v4.2.0'
        $secretBefore = Get-TokenSecret $sim
        Clear-Requests $sim
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -Config @{ printDetailLogs = $true }
        $result | Should -BeOfType ([GlobalUpgrade.EtcdSyncInstallation])
        $result.Changed | Should -BeTrue
        $result.Phase | Should -Be 'Running'
        $result.Version | Should -Be 'v4.1.2' -Because 'the highest patch of the platform''s 4.1 line is the default'
        $result.SyncStartedAt | Should -Not -BeNullOrEmpty
        $result.LeaderPod | Should -Be (Get-FirstSyncPod $sim)

        $info = Get-ModuleInfos $sim standby etcd-sync
        $info | Should -HaveCount 1
        $info.metadata.name | Should -Be $result.ModuleInfo
        $info.metadata.labels.'cpaas.io/cluster-name' | Should -Be 'global'
        $info.metadata.labels.'cpaas.io/module-type' | Should -Be 'plugin'
        $info.spec.version | Should -Be 'v4.1.2'
        $form = Get-FormPaths $sim 'v4.1.2'
        $form.Keys | Should -Not -Contain 'Active Global Cluster VIP'
        @(Get-LeafPaths $info.spec.config | Sort-Object) | Should -Be @(@($form['Active Global Cluster ETCD Endpoints'], $form['Data Check Interval'], 'printDetailLogs') | Sort-Object) -Because 'the 4.1 form has no VIP and no token secret'
        Get-At $info.spec.config $form['Active Global Cluster ETCD Endpoints'] | Should -Be 'https://192.168.130.10:2379'
        Get-At $info.spec.config $form['Data Check Interval'] | Should -Be 90
        $info.spec.config.printDetailLogs | Should -BeTrue

        # 4.1 has no token secret: the standby's is neither read nor written, the primary's k8sadmin never read.
        @(Get-Requests $sim standby | Where-Object { $_.path -match '/secrets' }) | Should -HaveCount 0
        @(Get-Requests $sim primary | Where-Object { $_.path -match '/secrets' }) | Should -HaveCount 0
        Get-TokenSecret $sim | Should -Be $secretBefore
        # 4.1 documents no lease: nothing read or watched it.
        @(Get-Requests $sim standby | Where-Object { $_.path -match '/leases' }) | Should -HaveCount 0

        # The documented restart: one pod (the first by name) was deleted, and the result names its successor.
        $deletes = @(Get-Requests $sim standby | Where-Object { $_.method -eq 'DELETE' -and $_.path -match '/pods/' })
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

    It 'restarts the first pod by name (4.1 has no lease): the next one logs Start Sync update' {
        Clear-Requests $sim
        $old = Get-FirstSyncPod $sim
        $new = Restart-EtcdSync -PassThru
        $new.LeaderPod | Should -Not -Be $old
        $new.LeaderPod | Should -Be (Get-FirstSyncPod $sim)
        @(Get-Requests $sim standby | Where-Object { $_.method -eq 'DELETE' -and $_.path -match '/pods/' }).path | Should -Match $old
        @(Get-Requests $sim standby | Where-Object { $_.path -match '/leases' }) | Should -HaveCount 0
        Restart-EtcdSync | Should -BeNullOrEmpty
    }

    It 'survives watches dropped mid-wait (dropWatchAfterMs) and resumes them' {
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method POST -Body @(@{ pathRegex = 'watch=true'; dropWatchAfterMs = 100 }) | Out-Null
        try {
            $old = Get-FirstSyncPod $sim
            (Restart-EtcdSync -PassThru -TimeoutSec 30).LeaderPod | Should -Not -Be $old
        }
        finally { Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method DELETE | Out-Null }
        # A resumed watch is a second watch of the same selection (from the last resourceVersion seen).
        $watches = @(Get-Requests $sim standby | Where-Object { $_.path -match 'watch=true' })
        $resumed = @($watches | Group-Object { $_.path -replace 'resourceVersion=\d+', '' } | Where-Object Count -GE 2)
        $resumed | Should -Not -BeNullOrEmpty -Because 'dropped watches were resumed'
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
            Connect-SimPair $sim
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
            Connect-SimPair $sim
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
            Connect-SimPair $sim
            Get-ModuleInfos $sim primary etcdsync | Should -HaveCount 1
            $standby = Get-SimStore $sim standby
            # 3.18 documents no /check report: the consistency gate cannot pass by itself, and says what to do instead.
            $refused = @(Get-Failure { Uninstall-EtcdSync -Confirm:$false })
            $refused[0].FullyQualifiedErrorId | Should -BeExactly "StandbyNotConsistent,$Uninstall"
            $refused[0].Exception.Message | Should -Match 'StandbyInSync.*NOT CHECKED.*documents no etcd sync report'
            Get-ModuleInfos $sim primary etcdsync | Should -HaveCount 1 -Because 'nothing is removed on an unchecked pair'
            Uninstall-EtcdSync -Force -Confirm:$false -WarningAction SilentlyContinue
            Get-ModuleInfos $sim primary etcdsync | Should -HaveCount 0
            Compare-Object $standby (Get-SimStore $sim standby) | Should -BeNullOrEmpty
        }
        finally { Stop-TestSimulator $sim }
    }

    It '3.16: in the docs'' order: helm3 del on a node (none: nothing changed), then the objects, then no etcd-mirror pod may remain' {
        $sim = Start-TestSimulator -Scenario v3.16 -Dr -TimeScale 0.25
        $bin = Join-Path $sim.Directory 'bin'
        $savedPath = $env:PATH
        try {
            Connect-SimPair $sim
            $before = Get-SimStore $sim primary
            $env:PATH = ($env:PATH -split [IO.Path]::PathSeparator | Where-Object { -not (Test-Path (Join-Path $_ 'helm3')) }) -join [IO.Path]::PathSeparator
            $needsNode = @(Get-Failure { Uninstall-EtcdSync -Force -Confirm:$false -WarningAction SilentlyContinue })
            $needsNode[0].FullyQualifiedErrorId | Should -BeExactly "HelmReleaseRemovalNeedsNode,$Uninstall"
            $needsNode[0].Exception.Message | Should -Match ([regex]::Escape('helm3 del etcd-sync -n default'))
            $needsNode[0].Exception.Message | Should -Match ([regex]::Escape('helm3 del etcd-sync -n cpaas-system'))
            $needsNode[0].Exception.Message | Should -Match 'Nothing was changed'
            Compare-Object $before (Get-SimStore $sim primary) | Should -BeNullOrEmpty -Because 'the Helm release goes first; without it nothing is deleted'

            # On a node with helm3 (a stand-in that records its arguments and checks the objects are still there).
            New-Item -ItemType Directory $bin | Out-Null
            $calls = Join-Path $sim.Directory 'helm3.calls'
            Set-Content (Join-Path $bin 'helm3') "#!/bin/sh`necho `"`$*`" >> '$calls'`n"
            chmod +x (Join-Path $bin 'helm3')
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$env:PATH"

            # A leftover etcd-mirror pod: the docs' last check finds it, and the wait names it.
            Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/_sim/objects' -Method POST -Body @(@{
                    apiVersion = 'v1'; kind = 'Pod'
                    metadata   = @{ name = 'etcd-mirror-etcd-mirror-7d9f-x2k4q'; namespace = 'kube-system'; labels = @{ app = 'etcd-mirror' } }
                    spec       = @{ containers = @(@{ name = 'etcd-mirror'; image = 'etcd-mirror:v3.16' }) }
                    status     = @{ phase = 'Running' }
                }) | Out-Null
            $left = @(Get-Failure { Uninstall-EtcdSync -Force -Confirm:$false -WarningAction SilentlyContinue -TimeoutSec 3 })
            $left[0].FullyQualifiedErrorId | Should -BeExactly "WaitTimedOut,$Uninstall"
            $left[0].Exception.Message | Should -Match 'etcd-mirror-etcd-mirror-7d9f-x2k4q'
            Get-Content $calls | Should -Be @('del etcd-sync -n default', 'del etcd-sync -n cpaas-system')
            foreach ($name in 'etcd-sync-env', 'etcd-sync-ignore-text') {
                { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path "/api/v1/namespaces/kube-system/configmaps/$name" } | Should -Throw
            }
            foreach ($name in 'etcd-master-mirror-cert', 'etcd-slave-mirror-cert') {
                { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path "/api/v1/namespaces/kube-system/secrets/$name" } | Should -Throw
            }
            { Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/apps/v1/namespaces/kube-system/deployments/etcd-mirror-etcd-mirror' } | Should -Throw

            Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/kube-system/pods/etcd-mirror-etcd-mirror-7d9f-x2k4q' -Method DELETE | Out-Null
            Uninstall-EtcdSync -Force -Confirm:$false -WarningAction SilentlyContinue
        }
        finally {
            $env:PATH = $savedPath
            Stop-TestSimulator $sim
        }
    }
}

Describe 'A synchronizer pod that never becomes Ready' -Tag CI {
    It 'times out naming the phase, the pod and its last status; Ctrl+C stops the wait at once' {
        $sim = Start-TestSimulator -Scenario pod-never-ready -Dr -TimeScale 0.25
        try {
            Connect-SimPair $sim
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $failed = @(Get-Failure { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -TimeoutSec 4 })
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
            $failed[0].FullyQualifiedErrorId | Should -BeExactly "EtcdSyncStalled,$Install"
            $failed[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $failed[0].TargetObject | Should -Be 'PodReady' -Because 'the error names the wait that stalled'
            $failed[0].Exception.Message | Should -Match 'the 4 s of the whole install or restart ran out'
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
            # Stopped while it watches the pod (its watch is open), not before the wait began.
            Wait-SimRequestInFlight -Simulator $sim -Cluster standby -PathPattern 'pods.*watch='
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

Describe 'A 4.2 standby where only the 4.1 plugin is published' -Tag CI {
    BeforeAll {
        $script:sim = Start-PairAt 'v4.2.0' -Published 'v4.1.0', 'v4.1.3'
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'refuses with EtcdSyncVersionMismatch naming what is published and what the platform runs; nothing changed' {
        # "Nothing changed" is about the client: the simulator's own controllers may move objects meanwhile (the
        # ClusterModule offers the components' upgrade a notice delay after the platform moved), so count its writes.
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        $refused = @(Get-Failure { Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Confirm:$false })
        $refused[0].FullyQualifiedErrorId | Should -BeExactly "EtcdSyncVersionMismatch,$Install"
        $refused[0].Exception.Message | Should -Match 'v4\.2\.0'
        $refused[0].Exception.Message | Should -Match 'v4\.1\.0, v4\.1\.3'
        $refused[0].Exception.Message | Should -Match '-Version'
        @(Get-SimClientWrite -Simulator $sim -Cluster standby) |
            Should -BeNullOrEmpty -Because 'a refused install writes nothing'
    }

    It '-Version installs another line on purpose, with a warning' {
        Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -Version v4.1.3 -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match '-Version v4\.1\.3'
        "$warned" | Should -Match 'v4\.2\.0'
    }

    It 'installs the 4.2 plugin once it is published, restarting the first pod by name (no lease on 4.2)' {
        Set-PublishedPlugin $sim 'v4.1.3', 'v4.2.0', 'v4.2.1'
        Uninstall-EtcdSync -Confirm:$false
        Clear-Requests $sim
        $result = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -WarningVariable warned
        "$warned" | Should -BeNullOrEmpty
        $result.Version | Should -Be 'v4.2.1'
        $result.LeaderPod | Should -Be (Get-FirstSyncPod $sim)
        @(Get-LeafPaths (Get-ModuleInfos $sim standby etcd-sync).spec.config) | Should -Be @((Get-FormPaths $sim 'v4.2.1')['Active Global Cluster ETCD Endpoints'])
        @(Get-Requests $sim standby | Where-Object { $_.path -match '/leases|/secrets' }) | Should -HaveCount 0
        @(Get-Requests $sim primary | Where-Object { $_.path -match '/secrets' }) | Should -HaveCount 0
    }
}

Describe 'A 4.3.1 DR pair: the 4.3.1+ form, token secret, bootstrap job and lease' -Tag CI {
    BeforeAll {
        $script:sim = Start-PairAt 'v4.3.1' -Published 'v4.3.0', 'v4.3.1'
        Uninstall-EtcdSync -Confirm:$false
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'writes the token secret, every 4.3.1 field at its label''s path, waits for job etcd-sync-bootstrap, and restarts the lease holder' {
        Clear-Requests $sim
        $out = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -StandbyEtcdEndpoint https://192.168.131.10:2379 -SkipEndpointCheck -Verbose 4>&1
        $verbose = ($out | Where-Object { $_ -is [Management.Automation.VerboseRecord] }) -join "`n"
        $result = $out | Where-Object { $_ -is [GlobalUpgrade.EtcdSyncInstallation] }
        $result.Version | Should -Be 'v4.3.1'
        $verbose | Should -Match 'job cpaas-system/etcd-sync-bootstrap to complete: done'
        $verbose | Should -Match 'lease cpaas-system/etcd-sync-mirror'
        (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/batch/v1/namespaces/cpaas-system/jobs/etcd-sync-bootstrap').status.succeeded | Should -Be 1
        $result.LeaderPod | Should -Be (Get-Leader $sim)

        $config = (Get-ModuleInfos $sim standby etcd-sync).spec.config
        $form = Get-FormPaths $sim 'v4.3.1'
        Get-At $config $form['Active Global Cluster VIP'] | Should -Be '192.168.130.10'
        Get-At $config $form['Active Global Cluster ETCD Endpoints'] | Should -Be 'https://192.168.130.10:2379'
        Get-At $config $form['Active Global Cluster Token Secret'] | Should -Be 'etcd-sync-active-cluster-token'
        Get-At $config $form['Standby Cluster ETCD Endpoints'] | Should -Be 'https://192.168.131.10:2379'

        $primaryToken = (Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/cpaas-system/secrets/k8sadmin').data.token
        (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token').data.token | Should -Be $primaryToken
    }

    It 'Restart-EtcdSync deletes the lease holder and follows the lease to its successor' {
        $old = Get-Leader $sim
        $new = Restart-EtcdSync -PassThru
        $new.LeaderPod | Should -Not -Be $old
        $new.LeaderPod | Should -Be (Get-Leader $sim)
    }

    It 'never shows the primary''s token: output, verbose, debug, warnings, errors and the transcript' {
        $token = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/api/v1/namespaces/cpaas-system/secrets/k8sadmin').data.token))
        $token.Length | Should -BeGreaterThan 8
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/api/v1/namespaces/cpaas-system/secrets/etcd-sync-active-cluster-token' -Method DELETE | Out-Null
        $transcript = Join-Path $sim.Directory 'transcript.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            $streams = Install-EtcdSync -ActiveClusterVip 192.168.130.10 -SkipEndpointCheck -DataCheckInterval 90 -Verbose -Debug *>&1 | Out-String
            $streams += Uninstall-EtcdSync -WhatIf -Verbose -Debug *>&1 | Out-String
            $streams += Restart-EtcdSync -Verbose -Debug -PassThru *>&1 | Out-String
        }
        finally { Stop-Transcript | Out-Null }
        $streams | Should -Match 'etcd-sync-active-cluster-token' -Because 'the secret was written'
        $streams | Should -Not -Match ([regex]::Escape($token))
        Get-Content $transcript -Raw | Should -Not -Match ([regex]::Escape($token))
        ($Error | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

}

# Export-GlobalClusterSnapshot against the simulator, and the simulator seeded from a snapshot (--snapshot).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    # 4.3.1: the line with every synchronizer object the module reads (lease, bootstrap job, token secret).
    $script:sim = Start-TestSimulator -Scenario 'v4.3.1' -Dr
    $script:handWritten = Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/snapshot/handwritten-pair.json'

    function script:Read-Snapshot([string] $Path) { Get-Content $Path -Raw | ConvertFrom-Json -Depth 100 }
    function script:Objects($Snapshot, [string] $Cluster, [string] $Kind) {
        @(($Snapshot.clusters | Where-Object name -EQ $Cluster).objects | Where-Object kind -EQ $Kind)
    }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
    Stop-TestSimulator $script:sim
}

Describe 'Export-GlobalClusterSnapshot' -Tag CI {
    BeforeAll {
        $null = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary
        $null = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standby
        # A field the module never reads, a last-applied copy and a token-looking annotation: none may reach the file.
        $script:planted = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJl'
        $machine = (Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/platform.tkestack.io/v1/machines').items[0]
        $machine.metadata | Add-Member -Force annotations ([pscustomobject]@{
                'kubectl.kubernetes.io/last-applied-configuration' = '{"big":"copy"}'
                'example.com/auth'                                 = "Bearer $planted"
                'example.com/note'                                 = 'kept as is'
            })
        $machine.metadata | Add-Member -Force managedFields @([pscustomobject]@{ manager = 'kubectl'; operation = 'Update' })
        $null = Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/_sim/objects' -Method POST -Body $machine
        $script:machineName = $machine.metadata.name
        $script:path = Join-Path $TestDrive 'pair.json'
        $script:result = Export-GlobalClusterSnapshot -Path $path
        $script:doc = Read-Snapshot $path
    }

    It 'returns a summary of the file it wrote' {
        $result | Should -BeOfType ([GlobalUpgrade.GlobalClusterSnapshot])
        $result.Path | Should -BeExactly $path
        $result.Clusters | Should -Be @('primary', 'standby')
        $result.SizeBytes | Should -Be (Get-Item $path).Length
        $result.ObjectCount | Should -Be (@($doc.clusters.objects).Count)
        Write-Host "snapshot of the healthy DR pair: $($result.ObjectCount) objects, $($result.SizeBytes) bytes"
    }

    It 'says when and from where it was taken, with the versions the module read' {
        [datetimeoffset]$doc.takenAt | Should -BeGreaterThan ([datetimeoffset]::UtcNow.AddMinutes(-10))
        foreach ($c in Get-GlobalCluster) {
            $entry = $doc.clusters | Where-Object name -EQ $c.Name
            $entry.role | Should -BeExactly ([string]$c.Role)
            $entry.context | Should -BeExactly $c.Context
            $entry.server | Should -BeExactly ([string]$c.Server)
            $entry.platformVersion | Should -BeExactly $c.PlatformVersion
            $entry.kubernetesVersion | Should -BeExactly $c.KubernetesVersion
        }
    }

    It 'holds every kind the module reads on <Cluster>' -TestCases @(
        @{ Cluster = 'primary'; Kinds = 'ProductBase', 'Cluster', 'Machine', 'ClusterModule', 'ModulePlugin', 'ModuleConfig', 'Secret' }
        @{ Cluster = 'standby'; Kinds = 'ProductBase', 'Cluster', 'Machine', 'ClusterModule', 'ModulePlugin', 'ModuleConfig', 'ModuleInfo', 'Pod', 'Lease', 'Service', 'Deployment', 'Secret' }
    ) {
        foreach ($kind in $Kinds) { Objects $doc $Cluster $kind | Should -Not -BeNullOrEmpty -Because "$kind is read by the module" }
        $machines = (Get-GlobalMachine -Cluster $Cluster).Name | Sort-Object
        (Objects $doc $Cluster 'Machine').metadata.name | Sort-Object | Should -Be $machines
        $entry = $doc.clusters | Where-Object name -EQ $Cluster
        $entry.discovery.resources.'cluster.alauda.io/v1alpha1'.resources.name | Should -Contain 'moduleconfigs'
    }

    It 'keeps the synchronizer plugin''s form (deployDescriptors) and only its runtime objects' {
        $config = Objects $doc 'standby' 'ModuleConfig' | Where-Object { $_.metadata.labels.'cpaas.io/module-name' -eq 'etcd-sync' }
        $config.spec | Should -Not -BeNullOrEmpty
        $stored = (Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/cluster.alauda.io/v1alpha1/moduleconfigs').items |
            Where-Object { $_.metadata.name -eq $config[0].metadata.name }
        ($config[0].spec | ConvertTo-Json -Depth 50 -Compress) | Should -BeExactly ($stored.spec | ConvertTo-Json -Depth 50 -Compress)
        # Only the synchronizer's pods (one per replica), no other pod of the cluster.
        $pods = @(Objects $doc 'standby' 'Pod')
        $pods | Should -Not -BeNullOrEmpty
        @($pods.metadata.labels.app | Sort-Object -Unique) | Should -Be @('etcd-sync')
        (Objects $doc 'standby' 'Lease').metadata.name | Should -Contain 'etcd-sync-mirror'
    }

    It 'keeps the names the platform gives ModuleInfos (the cluster, a dash, 32 hex), which read like tokens' {
        $stored = @((Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/cluster.alauda.io/v1alpha1/moduleinfoes').items.metadata.name)
        $stored | Should -Not -BeNullOrEmpty
        $stored | Where-Object { $_ -match '-[0-9a-f]{32}$' } | Should -Not -BeNullOrEmpty -Because 'the simulator names them as the platform does'
        @((Objects $doc 'standby' 'ModuleInfo').metadata.name) | Sort-Object | Should -Be ($stored | Sort-Object)
    }

    It 'drops managedFields and last-applied copies and redacts token-like values' {
        $m = Objects $doc 'primary' 'Machine' | Where-Object { $_.metadata.name -eq $machineName }
        $m.metadata.PSObject.Properties.Name | Should -Not -Contain 'managedFields'
        $m.metadata.annotations.PSObject.Properties.Name | Should -Not -Contain 'kubectl.kubernetes.io/last-applied-configuration'
        $m.metadata.annotations.'example.com/auth' | Should -BeExactly '[redacted]'
        $m.metadata.annotations.'example.com/note' | Should -BeExactly 'kept as is'
    }

    It 'never holds a secret value or a bearer token' {
        $text = Get-Content $path -Raw
        $secrets = foreach ($c in 'primary', 'standby') {
            $sim.Clusters[$c].Token
            foreach ($s in (Invoke-SimAdmin -Simulator $sim -Cluster $c -Path '/api/v1/namespaces/cpaas-system/secrets').items) {
                foreach ($p in $s.data.PSObject.Properties) {
                    $p.Value
                    [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p.Value))
                }
            }
        }
        $secrets = @($secrets | Where-Object { $_ })
        $secrets.Count | Should -BeGreaterThan 2
        foreach ($s in $secrets) { $text.Contains($s) | Should -BeFalse -Because 'a snapshot never holds a secret value' }
        $text.Contains($planted) | Should -BeFalse
        $secret = Objects $doc 'standby' 'Secret' | Where-Object { $_.metadata.name -eq 'etcd-sync-active-cluster-token' }
        $secret.data.PSObject.Properties.Name | Should -Be @('token')
        $secret.data.token | Should -BeExactly ''
    }

    It 'exports only the clusters named with -Cluster' {
        $one = Export-GlobalClusterSnapshot -Cluster standby -Path (Join-Path $TestDrive 'standby.json')
        $one.Clusters | Should -Be @('standby')
        (Read-Snapshot $one.Path).clusters.name | Should -Be @('standby')
    }

    It 'an unwritable path: SnapshotPathInvalid' {
        $file = Join-Path $TestDrive 'a-file'
        Set-Content $file 'x'
        $err = { Export-GlobalClusterSnapshot -Path (Join-Path $file 'below.json') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'SnapshotPathInvalid,GlobalUpgrade.Commands.Snapshot.ExportGlobalClusterSnapshotCommand'
    }
}

Describe 'The simulator seeded from a snapshot' -Tag CI {
    AfterEach { Get-GlobalCluster | Disconnect-GlobalCluster }

    It 'round trip: export, start from the snapshot, and the module sees the same machines and sync state' {
        $null = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary
        $null = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standby
        $path = Join-Path $TestDrive 'round-trip.json'
        $null = Export-GlobalClusterSnapshot -Path $path
        $machines = Get-GlobalMachine | ForEach-Object { "$($_.Cluster)/$($_.Name)/$($_.IP)/$($_.Phase)" } | Sort-Object
        $sync = Get-EtcdSyncStatus -Cluster standby
        Get-GlobalCluster | Disconnect-GlobalCluster

        $replay = Start-TestSimulator -Snapshot $path -TimeScale 0.2
        try {
            $p = Connect-GlobalCluster -Kubeconfig $replay.Kubeconfig -Context primary -Role Primary
            $s = Connect-GlobalCluster -Kubeconfig $replay.Kubeconfig -Context standby -Role Standby
            $p.Server | Should -Not -Be ([uri]$sim.Clusters.primary.Server)
            Get-GlobalMachine | ForEach-Object { "$($_.Cluster)/$($_.Name)/$($_.IP)/$($_.Phase)" } | Sort-Object | Should -Be $machines
            # The simulator's synchronizer takes over the snapshot's plugin: wait until its monitor answers.
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not ($replayed = Get-EtcdSyncStatus -Cluster standby -ErrorAction SilentlyContinue).IsInSync -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $replayed.IsInSync | Should -Be $sync.IsInSync
            $sync.IsInSync | Should -BeTrue
            $s.PlatformVersion | Should -BeExactly (Get-GlobalCluster -Name standby).PlatformVersion
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Stop-TestSimulator $replay
        }
    }

    It 'round trip of a standard (non-DR) global cluster' {
        $single = Start-TestSimulator -Scenario 'failed-machine'
        $replay = $null
        try {
            $null = Connect-GlobalCluster -Kubeconfig $single.Kubeconfig -Context global -Role Standalone
            $path = Join-Path $TestDrive 'standard.json'
            $verbose = Export-GlobalClusterSnapshot -Path $path -Verbose 4>&1 | Out-String
            $verbose | Should -Not -Match ([regex]::Escape($single.Clusters.global.Token))
            $machines = Get-GlobalMachine | ForEach-Object { "$($_.Name)/$($_.IP)/$($_.Phase)/$($_.Reason)" } | Sort-Object
            Get-GlobalCluster | Disconnect-GlobalCluster

            $replay = Start-TestSimulator -Snapshot $path
            $c = Connect-GlobalCluster -Kubeconfig $replay.Kubeconfig -Context global -Role Standalone
            $c.PlatformVersion | Should -Not -BeNullOrEmpty
            Get-GlobalMachine | ForEach-Object { "$($_.Name)/$($_.IP)/$($_.Phase)/$($_.Reason)" } | Sort-Object | Should -Be $machines
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Stop-TestSimulator $replay
            Stop-TestSimulator $single
        }
    }

    It 'a hand-written pair unlike our scenarios exports as it was written (other labels, nested form paths, another CVSH group)' {
        $replay = Start-TestSimulator -Snapshot $handWritten
        try {
            $null = Connect-GlobalCluster -Kubeconfig $replay.Kubeconfig -Context primary -Role Primary
            $null = Connect-GlobalCluster -Kubeconfig $replay.Kubeconfig -Context standby -Role Standby
            (Get-GlobalMachine -Cluster primary).Name | Sort-Object | Should -Be @('dc-a-cp-1', 'dc-a-cp-2')
            # The simulator's plugin manager adopts the installed synchronizer; a v4.3.1 install starts with its bootstrap job.
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Invoke-SimAdmin -Simulator $replay -Cluster standby -Path '/apis/batch/v1/namespaces/cpaas-system/jobs' ).items.status.succeeded -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $path = Join-Path $TestDrive 'hand-written-export.json'
            $verbose = @(Export-GlobalClusterSnapshot -Path $path -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
            # The module's one discovery of the ClusterVersionShadow (the upgrade's own), once per cluster.
            @($verbose | Where-Object { $_ -match 'finding ClusterVersionShadow through API discovery' }).Count | Should -Be 2
            $doc = Read-Snapshot $path
            $source = Read-Snapshot $handWritten
            foreach ($c in 'primary', 'standby') {
                $entry = $doc.clusters | Where-Object name -EQ $c
                $entry.clusterVersionShadow.group | Should -BeExactly 'upgrade.alauda.io'
                $entry.clusterVersionShadow.version | Should -BeExactly 'v1beta1'
                $cvsh = Objects $doc $c 'ClusterVersionShadow'
                $cvsh.apiVersion | Should -BeExactly 'upgrade.alauda.io/v1beta1'
                $cvsh.metadata.labels.'upgrade.alauda.io/channel' | Should -BeExactly 'stable-x'
                (Objects $doc $c 'Machine').metadata.labels.'topology.example.com/rack' | Select-Object -Unique | Should -BeExactly 'r-07'
            }
            $form = (Objects $doc 'standby' 'ModuleConfig').spec.deployDescriptors.path
            $form | Should -Be ((Objects $source 'dc-b' 'ModuleConfig').spec.deployDescriptors.path)
            (Objects $doc 'standby' 'ModuleInfo').spec.config.active.etcd.endpoints | Should -BeExactly '10.20.0.11:2379'
            (Objects $doc 'standby' 'ModulePlugin').metadata.labels.'cpaas.io/module-catalog' | Should -BeExactly 'dr-tools'
            # v4.3.1 runs the bootstrap job first; the snapshot keeps its status, not its pod template.
            $job = Objects $doc 'standby' 'Job' | Where-Object { $_.metadata.name -eq 'etcd-sync-bootstrap' }
            $job.status | Should -Not -BeNullOrEmpty
            $job.spec.PSObject.Properties.Name | Should -Not -Contain 'template'
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Stop-TestSimulator $replay
        }
    }
}

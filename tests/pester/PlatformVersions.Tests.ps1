# The whole DR runbook (Invoke-GlobalDrUpgrade) on every supported path into 4.1, 4.2, 4.3.0 and 4.3.1, from each
# supported source line (Platform/UpgradePaths.cs; release-4.x docs/en/upgrade/pre-upgrade.mdx), one simulator
# scenario per source line. After the run the standby must carry the etcd synchronizer of the target's line:
# the target's plugin version (from 4.3 pushed to the standby with violet, as the operator does), its form written only at the paths its ModuleConfig's
# spec.deployDescriptors declare (nothing undocumented), the token secret only where the form has it (4.3.1+), and
# the leader pod deleted once.
BeforeDiscovery {
    $script:paths = @(
        @{ Source = 'v3.18'; From = 'v3.18.1'; Target = 'v4.1.0'; Extra = "-ConsistencyAttestation 'ops on call: both etcd keyspaces compared, no difference'" }
        @{ Source = 'v4.0'; From = 'v4.0.0'; Target = 'v4.1.0' }
        @{ Source = 'v4.0-to-4.2'; From = 'v4.0.0'; Target = 'v4.2.0' }
        @{ Source = 'healthy'; From = 'v4.1.0'; Target = 'v4.2.0' }
        @{ Source = 'v4.0'; From = 'v4.0.0'; Target = 'v4.3.0' }
        @{ Source = 'healthy'; From = 'v4.1.0'; Target = 'v4.3.0' }
        @{ Source = 'v4.2-to-4.3'; From = 'v4.2.0'; Target = 'v4.3.0'; Extra = '-SkipCheckArtifacts' }
        @{ Source = 'v4.0'; From = 'v4.0.0'; Target = 'v4.3.1' }
        @{ Source = 'healthy'; From = 'v4.1.0'; Target = 'v4.3.1' }
        @{ Source = 'v4.2-to-4.3'; From = 'v4.2.0'; Target = 'v4.3.1' }
    )
    foreach ($p in $paths) { if (-not $p.ContainsKey('Extra')) { $p.Extra = '' } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # Runbooks run in child pwsh processes, but the reports are exported here: the file must not rely on another
    # file having imported the module first.
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    function New-PathFixture([string] $Scenario, [string] $Target, [string] $Name = "$Scenario-$Target") {
        $f = New-TestDrPair -Root $TestDrive -Name $Name -Scenario $Scenario -Target $Target -SyncMs 200 -Images 3
        # The stand-in upgrade.sh records the arguments of every run, and every run of both packages in one file, in order.
        foreach ($cluster in 'primary', 'standby') { Add-Content (Join-Path $f.Work "package-$cluster/fake.conf") "GU_FAKE_ARGS_LOG=$($f.Work)/args-$cluster.log", "GU_FAKE_RUN_LOG=$($f.Work)/runs.log" }
        # From 4.3 the synchronizer is an Aligned plugin the core package does not bring: the operator pushes it to
        # the standby with violet (--dest-repo <standby VIP>) before the window [doc release-4.3 PRE "Step 1"].
        if ([version]$Target.TrimStart('v') -ge [version]'4.3.0') { Push-SimPlugin -Simulator $f.Simulator -Cluster standby -Version $Target | Out-Null }
        $f
    }

    # The runs of upgrade.sh as the stand-in recorded them: "package-standby preflight", …
    function Get-ScriptRun($Fixture) { @(Get-Content (Join-Path $Fixture.Work 'runs.log') -ErrorAction Ignore) }

    # The simulator does not upgrade Kubernetes (no ACP page gives the request for a traditional-OS global cluster), so on a
    # 4.3 target PostChecks fails KubernetesVersionUpgraded; these tests are about other steps and waive it by name.
    $script:KubernetesWaiver = '-SkipReadinessCheck KubernetesVersionUpgraded'

    # Every leaf path of a config object, dotted ("etcd.active.endpoints").
    function Get-LeafPath($Node, [string] $Prefix = '') {
        foreach ($p in $Node.PSObject.Properties) {
            $path = if ($Prefix) { "$Prefix.$($p.Name)" } else { $p.Name }
            if ($p.Value -is [pscustomobject]) { Get-LeafPath $p.Value $path } else { $path }
        }
    }

    function Get-AtPath($Node, [string] $Path) {
        foreach ($part in $Path -split '\.') { if ($null -eq $Node) { return $null }; $Node = $Node.$part }
        $Node
    }
}

Describe 'Invoke-GlobalDrUpgrade on every supported path' -Tag CI {
    It '<From> → <Target> (scenario <Source>): the standby runs the target''s etcd-sync with its documented form' -ForEach $paths {
        $f = New-PathFixture $Source $Target
        try {
            $run = Invoke-Runbook $f $Target "$Extra $(if ($Target -like 'v4.3.*') { $KubernetesWaiver })"
            $run.ExitCode | Should -Be 0 -Because $run.Error
            $steps = @($run.Output -split "`n" | Where-Object { $_ -like 'STEP *' })
            $steps | Where-Object { $_ -notmatch ' (Succeeded|Skipped)$' } | Should -BeNullOrEmpty

            $primary = Invoke-SimAdmin -Simulator $f.Simulator -Cluster primary -Path '/_sim/store'
            $standby = Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/store'
            ($primary | Where-Object kind -eq 'ProductBase').status.version | Should -Be $Target
            ($standby | Where-Object kind -eq 'ProductBase').status.version | Should -Be $Target

            foreach ($cluster in 'primary', 'standby') {
                $store = if ($cluster -eq 'primary') { $primary } else { $standby }
                # Before 4.3 the ClusterModule is asked once, after it offered the upgrade (the docs' 10–15 min after
                # the trigger); from 4.3 the CVO does it and the ClusterModule is neither offered nor written.
                $module = $store | Where-Object kind -eq 'ClusterModule'
                $modulePatches = @(Invoke-SimAdmin -Simulator $f.Simulator -Cluster $cluster -Path '/_sim/requests' | Where-Object { $_.method -eq 'PATCH' -and $_.path -match '/clustermodules/' })
                if ($Target -like 'v4.3.*') {
                    $modulePatches | Should -BeNullOrEmpty
                    $module.status.upgradable | Should -BeFalse
                }
                else {
                    $modulePatches | Should -HaveCount 1
                    $module.status.upgradable | Should -BeTrue
                    $module.status.base.version | Should -Be $Target
                }

                # upgrade.sh's arguments: --skip-check-artifacts only on the image sync, and only when asked (4.3 targets).
                $calls = @(Get-Content (Join-Path $f.Work "args-$cluster.log"))
                $sync = @($calls | Where-Object { $_ -like '--only-sync-image*' })
                $sync | Should -HaveCount 1
                # The flag as the target's docs spell it: --only-sync-image=true (release-4.0…4.2), --only-sync-image (release-4.3).
                $flag = $Target -like 'v4.3.*' ? '--only-sync-image' : '--only-sync-image=true'
                $sync[0] | Should -BeExactly ($Extra -eq '-SkipCheckArtifacts' ? "$flag --skip-check-artifacts" : $flag)
                $calls | Where-Object { $_ -notlike '--only-sync-image*' } | Should -Not -Match 'skip-check-artifacts'
                $calls | Should -Contain '--skip-sync-image'
            }

            # The plugin released with the target, never an older one.
            $info = @($standby | Where-Object { $_.kind -eq 'ModuleInfo' -and $_.metadata.labels.'cpaas.io/module-name' -eq 'etcd-sync' })
            $info | Should -HaveCount 1
            $info[0].spec.version | Should -Be $Target
            $info[0].status.phase | Should -Be 'Running'

            # The form: only the paths the target's ModuleConfig declares, the active endpoints filled at theirs.
            $config = $standby | Where-Object { $_.kind -eq 'ModuleConfig' -and $_.spec.name -eq 'etcd-sync' -and $_.spec.version -eq $Target }
            $config | Should -Not -BeNullOrEmpty
            $declared = @($config.spec.deployDescriptors.path)
            $written = @(Get-LeafPath $info[0].spec.config)
            $written | Where-Object { $_ -notin $declared } | Should -BeNullOrEmpty -Because "only the documented form's fields are written (declared: $($declared -join ', '))"
            $endpoints = ($config.spec.deployDescriptors | Where-Object displayName -eq 'Active Global Cluster ETCD Endpoints').path
            Get-AtPath $info[0].spec.config $endpoints | Should -Not -BeNullOrEmpty

            $hasTokenField = @($config.spec.deployDescriptors | Where-Object displayName -eq 'Active Global Cluster Token Secret').Count -gt 0
            $hasTokenField | Should -Be ($Target -eq 'v4.3.1')
            $tokenSecret = $standby | Where-Object { $_.kind -eq 'Secret' -and $_.metadata.name -eq 'etcd-sync-active-cluster-token' }
            [bool]$tokenSecret | Should -Be $hasTokenField -Because 'the token secret exists only where the form has it (4.3.1+)'
            [bool]($standby | Where-Object { $_.kind -eq 'Job' -and $_.metadata.name -eq 'etcd-sync-bootstrap' }) | Should -Be ($Target -eq 'v4.3.1')
            [bool]($standby | Where-Object { $_.kind -eq 'Lease' -and $_.metadata.name -eq 'etcd-sync-mirror' }) | Should -Be ($Target -like 'v4.3.*')

            # One synchronizer pod deleted once, after Start Sync update, so owner references re-sync.
            $podDeletes = @(Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/requests' |
                    Where-Object { $_.method -eq 'DELETE' -and $_.path -match '/namespaces/cpaas-system/pods/etcd-sync-' })
            $podDeletes | Should -HaveCount 1

            # Preflight recorded the plugin line (the target's major.minor) and every readiness condition with its state.
            $preflight = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'Preflight'
            $preflight.outputs.pluginLine | Should -Be ($Target -replace '^v(\d+\.\d+).*', '$1')
            $preflight.outputs.checks.check | Should -Contain 'KubernetesVersionSupported'
            # The one Failed result allowed: the synchronizer's own target plugin, which ships with the platform and is
            # checked again by InstallEtcdSync after the upgrade (the gate records it and does not block on it).
            $preflight.outputs.checks | Where-Object { $_.state -eq 'Failed' -and -not ($_.check -eq 'ExtensionPublished' -and $_.target -like '*/etcd-sync') } |
                Should -BeNullOrEmpty
            ($preflight.outputs.checks | Where-Object check -eq 'MinioFreeSpace').state | Sort-Object -Unique | Should -Be 'NotChecked' -Because 'the gate uses no node access for node checks'
            $runs = Get-ScriptRun $f
            @($runs | Select-Object -First 2 | Sort-Object) | Should -Be @('package-primary sync', 'package-standby sync') -Because "both clusters' artifacts are synced first (runs: $($runs -join ' | '))"
            if ($Target -like 'v4.3.*') {
                # [doc release-4.3 UGC "Upgrade the standby/primary global cluster"] after the sync, per cluster, standby first:
                # run preflight checks, then deploy the CVO (upgrade.sh --skip-sync-image); the preflight never ran in Preflight.
                @($runs | Select-Object -Skip 2) | Should -Be @('package-standby preflight', 'package-standby upgrade-only', 'package-primary preflight', 'package-primary upgrade-only')
                $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
                foreach ($step in 'UpgradeStandby', 'UpgradePrimary') {
                    $checks = @(($journal.steps | Where-Object name -eq $step).outputs.checks)
                    $cluster = $step -eq 'UpgradeStandby' ? 'standby' : 'primary'
                    ($checks | Where-Object check -eq 'ResourcePatchUpgradeable').target | Should -Be "$cluster/preflight"
                    ($checks | Where-Object check -eq 'ResourcePatchUpgradeable').state | Should -Be 'Passed'
                    ($checks | Where-Object check -eq 'PreflightSummary').state | Should -Be 'Passed'
                }
                # PostChecks read each cluster's Kubernetes: the simulator stayed on its scenario's, not 4.3's 1.34.
                $post = @((($journal.steps | Where-Object name -eq 'PostChecks').outputs.checks) | Where-Object check -eq 'KubernetesVersionUpgraded')
                $post | Should -HaveCount 2
                $post | ForEach-Object { $_.state | Should -Be 'Failed'; $_.waived | Should -BeTrue; $_.expected | Should -Be '1.34' }
            }
            else {
                @($runs | Select-Object -Skip 2) | Should -Be @('package-standby upgrade-only', 'package-primary upgrade-only')
            }
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

Describe 'A 3.x source: no /check report, consistency attested by the operator' -Tag CI {
    It '3.18 → 4.1 stops at Preflight on StandbyInSync NOT CHECKED, changing nothing; -Resume with an attestation completes, recorded' {
        $f = New-PathFixture 'v3.18' 'v4.1.0' 'attest'
        try {
            $run = Invoke-Runbook $f 'v4.1.0'
            $run.ExitCode | Should -Not -Be 0
            "$($run.Output) $($run.Error)" | Should -Match 'StandbyInSync on standby: NOT CHECKED'
            "$($run.Output) $($run.Error)" | Should -Match '-ConsistencyAttestation'
            $changes = @(Get-SimClientWrite -Simulator $f.Simulator)
            $changes | Should -BeNullOrEmpty -Because 'Preflight is read-only and stops the run before any change'

            $attestation = 'J. Doe 2026-12-07: keyspaces of both etcds compared, no difference'
            $resumed = Invoke-Runbook $f 'v4.1.0' "-Resume -ConsistencyAttestation '$attestation'"
            $resumed.ExitCode | Should -Be 0 -Because $resumed.Error
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $preflight = $journal.steps | Where-Object name -eq 'Preflight'
            $preflight.outputs.consistencyAttestation | Should -BeExactly $attestation
            $inSync = $preflight.outputs.checks | Where-Object check -eq 'StandbyInSync'
            $inSync.state | Should -Be 'NotChecked' -Because 'an attestation is recorded, never turned into a pass'
            $inSync.passed | Should -BeFalse
            $inSync.message | Should -Match ([regex]::Escape($attestation))
            foreach ($cluster in 'primary', 'standby') {
                ((Invoke-SimAdmin -Simulator $f.Simulator -Cluster $cluster -Path '/_sim/store') | Where-Object kind -eq 'ProductBase').status.version | Should -Be 'v4.1.0'
            }
            $report = Join-Path $f.Work 'report.html'
            Export-GlobalUpgradeReport -JournalPath $f.Journal -Path $report
            Get-Content $report -Raw | Should -Match ([regex]::Escape([Net.WebUtility]::HtmlEncode($attestation)))
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It '3.16 → 4.0 completes with an attestation: the Helm-era synchronizer removed on the primary''s node, the 4.0 plugin on the standby' {
        $f = New-PathFixture 'v3.16' 'v4.0.0'
        $bin = Join-Path $f.Work 'bin'
        New-Item -ItemType Directory $bin | Out-Null
        $calls = Join-Path $f.Work 'helm3.calls'
        Set-Content (Join-Path $bin 'helm3') "#!/bin/sh`necho `"`$*`" >> '$calls'`n"
        chmod +x (Join-Path $bin 'helm3')
        try {
            $run = Invoke-ChildPwsh -Script (Get-RunbookScript $f 'v4.0.0' "-ConsistencyAttestation 'ops: regular DR inspection done'") -Environment @{ PATH = "$bin$([IO.Path]::PathSeparator)$env:PATH" }
            $run.ExitCode | Should -Be 0 -Because $run.Error
            @($run.Output -split "`n" | Where-Object { $_ -like 'STEP *' } | Where-Object { $_ -notmatch ' (Succeeded|Skipped)$' }) | Should -BeNullOrEmpty
            Get-Content $calls | Should -Be @('del etcd-sync -n default', 'del etcd-sync -n cpaas-system')
            $standby = Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/store'
            ($standby | Where-Object kind -eq 'ProductBase').status.version | Should -Be 'v4.0.0'
            $info = @($standby | Where-Object { $_.kind -eq 'ModuleInfo' -and $_.metadata.labels.'cpaas.io/module-name' -eq 'etcd-sync' })
            $info | Should -HaveCount 1
            $info[0].status.phase | Should -Be 'Running'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

Describe 'The runbook''s readiness gate on a 4.3 target' -Tag CI {
    It 'runs upgrade.sh --preflight right before the standby''s trigger: a Failed check stops it there, and it goes on once waived by name' {
        $f = New-PathFixture 'v4.2-to-4.3' 'v4.3.0'
        try {
            Add-Content (Join-Path $f.Work 'package-standby/fake.conf') 'GU_FAKE_PREFLIGHT=ResourcePatchUpgradeable=Failed:UnexemptResourcePatches:rp-a not exempt'
            $run = Invoke-Runbook $f 'v4.3.0' $KubernetesWaiver
            $run.ExitCode | Should -Not -Be 0
            "$($run.Output) $($run.Error)" | Should -Match 'ResourcePatchUpgradeable on standby/preflight'
            "$($run.Output) $($run.Error)" | Should -Match 'SkipReadinessCheck'
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            ($journal.steps | Where-Object name -eq 'Preflight').state | Should -Be 'Succeeded' -Because 'the package preflight is not run before the sync'
            $standby = $journal.steps | Where-Object name -eq 'UpgradeStandby'
            $standby.state | Should -Be 'Failed'
            ($standby.outputs.checks | Where-Object check -eq 'ResourcePatchUpgradeable').state | Should -Be 'Failed'
            # The artifacts of both were synced, the standby's preflight ran, and its CVO was not deployed.
            $runs = Get-ScriptRun $f
            @($runs | Select-Object -Skip 2) | Should -Be @('package-standby preflight')
            @(Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/requests' | Where-Object { $_.method -eq 'PATCH' -and $_.path -match 'clusterversionshadows' }) | Should -BeNullOrEmpty

            $resumed = Invoke-Runbook $f 'v4.3.0' "-Resume -SkipReadinessCheck ResourcePatchUpgradeable,KubernetesVersionUpgraded"
            $resumed.ExitCode | Should -Be 0 -Because $resumed.Error
            $standby = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'UpgradeStandby'
            $waived = $standby.outputs.checks | Where-Object { $_.check -eq 'ResourcePatchUpgradeable' }
            $waived.target | Should -Be 'standby/preflight'
            $waived.state | Should -Be 'Failed'
            $waived.waived | Should -BeTrue
            $waived.message | Should -Match 'Waived by -SkipReadinessCheck'
            $standby.message | Should -Match 'upgrade.sh --preflight'
            @(Get-ScriptRun $f | Select-Object -Skip 2) | Should -Be @('package-standby preflight', 'package-standby preflight', 'package-standby upgrade-only', 'package-primary preflight', 'package-primary upgrade-only')
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'refuses in Preflight a target the operator does not offer, before the synchronizer is removed' {
        # v4.3.0: both operators offer 4.3.1 only; the package says v4.3.2.
        $f = New-PathFixture 'v4.3.0' 'v4.3.2' 'not-offered'
        try {
            $run = Invoke-Runbook $f 'v4.3.2'
            $run.ExitCode | Should -Not -Be 0
            "$($run.Output) $($run.Error)" | Should -Match 'TargetVersionNotOffered'
            "$($run.Output) $($run.Error)" | Should -Match 'lists 4\.3\.1'
            $preflight = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'Preflight'
            $preflight.state | Should -Be 'Failed'
            $changes = @(Get-SimClientWrite -Simulator $f.Simulator)
            $changes | Should -BeNullOrEmpty -Because 'the synchronizer is still installed and no cluster was asked for anything'
            $standby = Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/store'
            @($standby | Where-Object { $_.kind -eq 'ModuleInfo' -and $_.metadata.labels.'cpaas.io/module-name' -eq 'etcd-sync' }) | Should -HaveCount 1
            Test-Path "$($f.Work)/args-standby.log" | Should -BeFalse -Because 'upgrade.sh never ran'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'does not stop on a Retry check: recorded NotChecked, not passed, in the primary''s upgrade step' {
        $f = New-PathFixture 'v4.2-to-4.3' 'v4.3.0' 'retry'
        try {
            Add-Content (Join-Path $f.Work 'package-primary/fake.conf') 'GU_FAKE_PREFLIGHT=ClusterRunning=Retry:NodesNotReady:waiting'
            $run = Invoke-Runbook $f 'v4.3.0' '-PauseBefore CheckEtcdPorts'
            $primary = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'UpgradePrimary'
            $primary.state | Should -Be 'Succeeded' -Because "$($run.Output) $($run.Error)"
            $retry = $primary.outputs.checks | Where-Object { $_.check -eq 'ClusterRunning' }
            $retry.target | Should -Be 'primary/preflight'
            $retry.state | Should -Be 'NotChecked'
            $retry.passed | Should -BeFalse
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
    It 'standard runbook: an output upgrade.sh --preflight prints in a layout the module cannot read is NotChecked and stops the trigger until waived; PostChecks fail while Kubernetes stays behind 1.34' {
        $f = New-PathFixture 'v4.2-to-4.3' 'v4.3.0' 'standard-unreadable'
        $layout = Join-Path $f.Work 'preflight-table.txt'
        Set-Content $layout "PREFLIGHT RESULT: PASSED`nCHECK                      STATE`nClusterRunning             Passed"
        Add-Content (Join-Path $f.Work 'package-primary/fake.conf') "GU_FAKE_PREFLIGHT_OUTPUT=$layout"
        $script = {
            param([string] $Extra)
            @"
`$ErrorActionPreference = 'Stop'
`$env:GLOBALUPGRADE_STATE_HOME = '$($f.State)'
Import-Module '$env:GLOBALUPGRADE_MODULE'
`$env:KUBECONFIG = '$($f.Simulator.Kubeconfig)'
Connect-GlobalCluster -Context primary -Role Standalone -Name global | Out-Null
Invoke-GlobalUpgrade -Cluster global -PackagePath '$($f.Work)/package-primary' -TargetVersion v4.3.0 -JournalPath '$($f.Journal)' -Confirm:`$false $Extra |
    ForEach-Object { 'STEP ' + `$_.Name + ' ' + `$_.Cluster + ' ' + `$_.State }
"@
        }
        function Get-Step([string] $Name) { (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq $Name }
        try {
            $run = Invoke-ChildPwsh -Script (& $script '')
            $run.ExitCode | Should -Not -Be 0
            $upgrade = Get-Step 'Upgrade'
            $upgrade.state | Should -Be 'Failed' -Because "$($run.Output) $($run.Error)"
            $summary = $upgrade.outputs.checks | Where-Object check -eq 'PreflightSummary'
            $summary.state | Should -Be 'NotChecked'
            $summary.passed | Should -BeFalse
            $summary.actual | Should -Match 'PREFLIGHT RESULT: PASSED'
            "$($run.Output) $($run.Error)" | Should -Match 'PreflightSummary on global/preflight'
            @(Get-ScriptRun $f) | Should -Be @('package-primary sync', 'package-primary preflight') -Because 'the preflight runs after the sync, and its CVO is not deployed'

            $resumed = Invoke-ChildPwsh -Script (& $script '-Resume -SkipReadinessCheck PreflightSummary')
            $resumed.ExitCode | Should -Not -Be 0
            $upgrade = Get-Step 'Upgrade'
            $upgrade.state | Should -Be 'Succeeded' -Because "$($resumed.Output) $($resumed.Error)"
            ($upgrade.outputs.checks | Where-Object check -eq 'PreflightSummary').waived | Should -BeTrue
            @(Get-ScriptRun $f) | Should -Be @('package-primary sync', 'package-primary preflight', 'package-primary preflight', 'package-primary upgrade-only')
            $post = Get-Step 'PostChecks'
            $post.state | Should -Be 'Failed'
            $kubernetes = $post.outputs.checks | Where-Object check -eq 'KubernetesVersionUpgraded'
            $kubernetes.state | Should -Be 'Failed'
            $kubernetes.expected | Should -Be '1.34'
            $kubernetes.actual | Should -Be (Invoke-RestMethod -SkipCertificateCheck -Uri "$($f.Simulator.Clusters['primary'].Server)/version" -Headers @{ Authorization = "Bearer $($f.Simulator.Clusters['primary'].Token)" }).gitVersion
            "$($resumed.Output) $($resumed.Error)" | Should -Match 'KubernetesVersionUpgraded on global'

            $waived = Invoke-ChildPwsh -Script (& $script '-Resume -SkipReadinessCheck PreflightSummary,KubernetesVersionUpgraded')
            $waived.ExitCode | Should -Be 0 -Because $waived.Error
            (Get-Step 'PostChecks').state | Should -Be 'Succeeded'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

# Start-GlobalUpgrade, Wait-GlobalUpgrade, Get-GlobalUpgradeStatus and Get-GlobalUpgradePlan against the simulator,
# with the stand-in upgrade.sh (tests/fixtures/package) run locally, and once over a loopback OpenSSH server.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:work = (New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "gu-upgrade-$([guid]::NewGuid().ToString('n').Substring(0, 8))")).FullName
    $script:previousStateHome = $env:GLOBALUPGRADE_STATE_HOME
    $script:runRoot = Join-Path $work 'node-runs'

    function Use-FreshState {
        $env:GLOBALUPGRADE_STATE_HOME = (New-Item -ItemType Directory -Force (Join-Path $work "state-$([guid]::NewGuid().ToString('n').Substring(0, 6))")).FullName
    }

    function Connect-Sim($Simulator, [string] $Context = 'global') {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context $Context -Role Standalone | Out-Null
    }

    function Sync-Package([string] $Package, [string] $Cluster = 'global') {
        Invoke-GlobalImageSync -PackagePath $Package -Cluster $Cluster -RunRoot $runRoot -Confirm:$false | Out-Null
    }

    function Get-SimObject($Simulator, [string] $Path, [string] $Cluster = 'global') {
        Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path $Path
    }

    function Get-ComponentPatch($Simulator, [string] $Cluster = 'global') {
        @((Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/requests') |
                Where-Object { $_.method -eq 'PATCH' -and $_.path -match 'clustermodules|clusterversionshadows' })
    }

    function Get-UpgradeRecord { @(Get-ChildItem (Join-Path $env:GLOBALUPGRADE_STATE_HOME 'upgrades') -Filter '*.json' -ErrorAction Ignore) }

    function Get-TriggerFolder { @(Get-ChildItem $runRoot -Directory -Filter '*-trigger' -ErrorAction Ignore) }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
    $env:GLOBALUPGRADE_STATE_HOME = $previousStateHome
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Start-GlobalUpgrade 4.1 → 4.2 through the ClusterModule' -Tag CI {
    BeforeAll {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.1
        Connect-Sim $sim
        $script:pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'triggers, upgrades the components, writes no Kubernetes field, and records the run' {
        $run = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false
        $run | Should -BeOfType ([GlobalUpgrade.GlobalUpgradeRun])
        $run.State | Should -Be 'Succeeded'
        $run.Stage | Should -Be 'Components'
        $run.FromVersion | Should -Be 'v4.1.0'
        $run.ToVersion | Should -Be 'v4.2.0'
        $run.ComponentUpgrade | Should -Be 'ClusterModule'
        $run.TriggerExitCode | Should -Be 0
        $run.TriggerRunId | Should -Not -BeNullOrEmpty
        Get-Content $run.LogPath -Raw | Should -Match 'upgrade triggered: v4.2.0'
        $module = Get-SimObject $sim '/apis/cluster.alauda.io/v1alpha1/clustermodules/global'
        $module.spec.version | Should -Be 'v4.2.0'
        $module.status.base.version | Should -Be 'v4.2.0'
        $module.status.base.deployStatus | Should -Be 'Completed'
        $module.spec.upgradeModulesInfos | Where-Object name -eq 'kubernetes' | Should -BeNullOrEmpty -Because 'no documented field asks for the Kubernetes upgrade'
        (Get-UpgradeRecord).Count | Should -Be 1
    }

    It 'reports the live state with the last run' {
        $status = Get-GlobalUpgradeStatus
        $status | Should -BeOfType ([GlobalUpgrade.GlobalUpgradeStatus])
        $status.PlatformVersion | Should -Be 'v4.2.0'
        $status.ComponentUpgrade | Should -Be 'ClusterModule'
        $status.ComponentVersion | Should -Be 'v4.2.0'
        $status.ComponentState | Should -Be 'Completed/Healthy'
        $status.LastRun.State | Should -Be 'Succeeded'
    }

    It 'does nothing, and writes nothing, when asked again' {
        Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' -Method DELETE | Out-Null
        $again = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false
        $again.State | Should -Be 'Succeeded'
        $again.Message | Should -Match 'Nothing to do'
        $again.TriggerRunId | Should -BeNullOrEmpty
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
    }
}

Describe 'A resumed upgrade never asks twice' -Tag CI {
    BeforeAll {
        Use-FreshState
        # Real-time durations: the upgrade is offered 3 s after the trigger and takes 6 s, longer than the first wait.
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 1
        Connect-Sim $sim
        $script:pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'times out waiting, keeps the run, and Wait-GlobalUpgrade finishes it without a second request' {
        Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' -Method DELETE | Out-Null
        # 6 s: past the offer (3 s after the trigger), short of the end of the component upgrade (6 s after the request).
        { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -TimeoutSec 6 -Confirm:$false } | Should -Throw -ErrorId 'UpgradeTimeout,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $status = Get-GlobalUpgradeStatus
        $status.LastRun.State | Should -Be 'Running'
        $status.DesiredVersion | Should -Be 'v4.2.0'
        (Get-ComponentPatch $sim).Count | Should -Be 1

        $done = $status.LastRun | Wait-GlobalUpgrade -TimeoutSec 60
        $done.State | Should -Be 'Succeeded'
        $done.Id | Should -Be $status.LastRun.Id
        (Get-ComponentPatch $sim).Count | Should -Be 1
    }

    It 'only waits when the cluster already asks for the target (no local record)' {
        Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' -Method DELETE | Out-Null
        # Put the ClusterModule back to "upgrading to v4.2.0", as a killed run would have left it, and forget the records.
        $module = Get-SimObject $sim '/apis/cluster.alauda.io/v1alpha1/clustermodules/global'
        $module.status.base.version = 'v4.1.0'; $module.status.base.deployStatus = 'Upgrading'
        Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/objects' -Method POST -Body $module | Out-Null
        Remove-Item (Join-Path $env:GLOBALUPGRADE_STATE_HOME 'upgrades') -Recurse -Force
        $wait = Start-ThreadJob -ArgumentList $sim, $module -ScriptBlock {
            param($sim, $module)
            Import-Module (Join-Path $using:PSScriptRoot 'TestHelpers.psm1')
            # Completed once the run waits on the ClusterModule (its watch is open), not after a guess at how long it takes to get there.
            Wait-SimRequestInFlight -Simulator $sim -Cluster global -PathPattern 'clustermodules.*watch='
            $module.status.base.version = 'v4.2.0'; $module.status.base.deployStatus = 'Completed'
            Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/objects' -Method POST -Body $module | Out-Null
        }
        $run = Start-GlobalUpgrade -PackagePath $pkg -Stage Components -RunRoot $runRoot -TimeoutSec 30 -Confirm:$false -Verbose 4>&1 |
            Tee-Object -Variable output | Where-Object { $_ -is [GlobalUpgrade.GlobalUpgradeRun] }
        $wait | Wait-Job | Remove-Job
        $run.State | Should -Be 'Succeeded'
        $run.ComponentRequestedAt | Should -BeNullOrEmpty
        ($output | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'already asks for v4.2.0'
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
    }
}

Describe 'Before 4.3 the component request waits until the ClusterModule offers the upgrade' -Tag CI {
    AfterEach { Stop-TestSimulator $script:sim }

    It 'waits (watching, no fixed sleep) for the offer after the trigger, then patches once' {
        Use-FreshState
        # Real-time notice delay (3 s): the request must not come before the ClusterModule offers the upgrade.
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
        $module = Get-SimObject $sim '/apis/cluster.alauda.io/v1alpha1/clustermodules/global'
        $module.status.upgradable | Should -BeFalse -Because 'nothing is offered before the trigger'

        $run = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false -Verbose 4>&1 |
            Tee-Object -Variable output | Where-Object { $_ -is [GlobalUpgrade.GlobalUpgradeRun] }
        $run.State | Should -Be 'Succeeded'
        $verbose = @(($output | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message)
        $waited = ($verbose | Select-String -SimpleMatch 'to be offered' | Select-Object -First 1).LineNumber
        $patched = ($verbose | Select-String -SimpleMatch 'merge-patching clustermodules.cluster.alauda.io/global' | Select-Object -First 1).LineNumber
        $waited | Should -Not -BeNullOrEmpty
        $patched | Should -BeGreaterThan $waited -Because 'the request follows the offer'
        $verbose -join "`n" | Should -Match 'status\.upgradable=true and status\.needUpgrade=true'
        # Watch-driven: one list and one watch for the whole wait, not a read every second.
        $verbose -join "`n" | Should -Match 'to be offered \(.*\): done after [\d.]+ s \(1 list, 1 watch requests'
        (Get-ComponentPatch $sim).Count | Should -Be 1
        $module = Get-SimObject $sim '/apis/cluster.alauda.io/v1alpha1/clustermodules/global'
        $module.status.base.version | Should -Be 'v4.2.0'
        $module.status.upgradable | Should -BeTrue
    }

    It 'never offered: ComponentUpgradeNotAvailable at the deadline, nothing written, the run waits again on Wait-GlobalUpgrade' {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario components-not-offered -TimeScale 0.1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
        $err = $null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -ComponentProfile @{ ClusterModuleUpgradeAvailableTimeout = '4s' } -Confirm:$false } catch { $err = $_ }
        $clock.Stop()
        $err.FullyQualifiedErrorId | Should -BeExactly 'ComponentUpgradeNotAvailable,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -Match 'status\.upgradable=false'
        $err.Exception.Message | Should -Match 'chart packages of the target version are not in the chart repository'
        $err.Exception.Message | Should -Match 'ClusterModuleUpgradeAvailableFields'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
        $last = (Get-GlobalUpgradeStatus).LastRun
        $last.State | Should -Be 'Running'
        $last.TriggerDone | Should -BeTrue

        # Following the run again waits again (bounded by -TimeoutSec), and still writes nothing.
        { $last | Wait-GlobalUpgrade -TimeoutSec 60 -ErrorAction Stop } | Should -Throw -ErrorId 'ComponentUpgradeNotAvailable,GlobalUpgrade.Commands.Upgrade.WaitGlobalUpgradeCommand'
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
    }
}

Describe 'Start-GlobalUpgrade 4.2 → 4.3 through the ClusterVersionShadow' -Tag CI {
    BeforeAll {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario 'v4.2-to-4.3' -TimeScale 0.1
        Connect-Sim $sim
        $script:pkg = New-TestPackage -Root $work -Version 'v4.3.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'patches spec.desiredUpdate.version as the docs write it (4.3.0, from a package that says v4.3.0) and waits for Ready' {
        $run = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded'
        $run.ComponentUpgrade | Should -Be 'ClusterVersionShadow'
        $run.FromVersion | Should -Be 'v4.2.0'
        $cvsh = Get-SimObject $sim '/apis/config.alauda.io/v1/namespaces/cpaas-system/clusterversionshadows/global'
        # The simulated operator, as the docs describe it, takes only a version it offers, written as offered.
        $cvsh.spec.desiredUpdate.version | Should -BeExactly '4.3.0'
        $cvsh.status.current.version | Should -BeExactly '4.3.0'
        @(Get-ComponentPatch $sim) | Should -HaveCount 1
    }

    It 'Get-GlobalUpgradeStatus shows the documented CVSH status' {
        $status = Get-GlobalUpgradeStatus
        $status.ComponentState | Should -Be 'Ready'
        $status.ComponentVersion | Should -Be '4.3.0'
        $status.OperatorDesiredVersion | Should -Be '4.3.0'
        $status.Conditions | Should -Contain 'Ready=True (Completed)'
        $status.Conditions | Should -Contain 'Degraded=False'
        $status.Preflight | Should -Be 'Passed'
        $status.FailedChecks | Should -BeNullOrEmpty
        $status.RetryingChecks | Should -BeNullOrEmpty
        $status.RunningStage | Should -BeNullOrEmpty
    }
}

Describe 'A 4.3 target the Cluster Version Operator does not offer' -Tag CI {
    BeforeAll {
        Use-FreshState
        # v4.3.0: the operator runs and offers 4.3.1 only.
        $script:sim = Start-TestSimulator -Scenario 'v4.3.0' -TimeScale 0.1
        Connect-Sim $sim
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'Get-GlobalUpgradePlan shows what is offered and the version the request would write' {
        $path = (Get-GlobalUpgradePlan -TargetVersion v4.3.1).Paths | Where-Object Cluster -eq 'global'
        $path.AvailableUpdates | Should -Be @('4.3.1')
        $path.RequestVersion | Should -BeExactly '4.3.1'
        $path.Supported | Should -BeTrue

        $missing = (Get-GlobalUpgradePlan -TargetVersion v4.3.2).Paths | Where-Object Cluster -eq 'global'
        $missing.Supported | Should -BeFalse
        $missing.RequestVersion | Should -BeNullOrEmpty
        $missing.Reason | Should -Match 'TargetVersionNotOffered: offered 4\.3\.1'
    }

    It 'is refused before the trigger, naming the offered versions, and nothing changes' {
        $triggersBefore = (Get-TriggerFolder).Count
        $pkg = New-TestPackage -Root $work -Version 'v4.3.2' -Simulator $sim -Cluster global
        Sync-Package $pkg
        $err = $null
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'TargetVersionNotOffered,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.Exception.Message | Should -Match 'lists 4\.3\.1'
        $err.Exception.Message | Should -Match 'Nothing was changed'
        (Get-TriggerFolder).Count | Should -Be $triggersBefore -Because 'upgrade.sh --skip-sync-image never ran'
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
        (Get-SimObject $sim '/apis/product.alauda.io/v1alpha2/productbases/base').status.version | Should -Be 'v4.3.0'
    }
}

Describe 'A preflight check in Retry is waited for, not taken as failed or passed' -Tag CI {
    BeforeAll {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario 'preflight-retry' -TimeScale 0.1
        Connect-Sim $sim
        $script:pkg = New-TestPackage -Root $work -Version 'v4.3.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'the upgrade waits through Retry and succeeds' {
        $run = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded'
        $requests = Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests'
        @($requests | Where-Object { $_.path -match '^/apis(/config\.alauda\.io/v1)?/?$' }).Count | Should -BeGreaterThan 0 -Because 'the CVSH group/version is found through API discovery'
        (Get-GlobalUpgradeStatus).Preflight | Should -Be 'Passed'
    }
}

Describe 'The platform''s own reason surfaces' -Tag CI {
    AfterEach { Stop-TestSimulator $script:sim }

    It 'DeployFailed: the ClusterModule''s unableUpgradeReason' {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario deploy-failed -TimeScale 0.1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
        { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false } | Should -Throw -ErrorId 'ComponentUpgradeFailed,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand' -ExpectedMessage '*timed out waiting for deployment cpaas-system/archon*'
        $last = (Get-GlobalUpgradeStatus).LastRun
        $last.State | Should -Be 'Failed'
        $last.Message | Should -Match 'DeployFailed'
    }

    It 'Stalled: the condition''s reason and the failed preflight check' {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario stalled -TimeScale 0.1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.3.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
        $err = $null
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'ComponentUpgradeStalled,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.Exception.Message | Should -Match 'Stalled: UnexemptResourcePatches'
        $err.Exception.Message | Should -Match 'ResourcePatchUpgradeable \(Always\)'
        $err.Exception.Message | Should -Match 'rp-ingress-tuning is not exempt'
        $status = Get-GlobalUpgradeStatus
        $status.Reason | Should -Match 'ResourcePatchUpgradeable'
        $status.ComponentState | Should -Be 'Stalled'
        $status.Conditions | Should -Contain 'Stalled=True (UnexemptResourcePatches)'
        $status.FailedChecks | Should -Be @('ResourcePatchUpgradeable: Failed UnexemptResourcePatches - resourcepatch rp-ingress-tuning is not exempt for 4.3.0 (annotation config.cpaas.io/exempt-for-ver)')
        $status.Preflight | Should -Be 'NotPassed'
        $status.ComponentVersion | Should -Be 'v4.2.0'
    }

    It 'Degraded: a failure with the platform''s reason and the running stage' {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario degraded -TimeScale 0.1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.3.0' -Simulator $sim -Cluster global
        Sync-Package $pkg
        $err = $null
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'ComponentUpgradeStalled,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.Exception.Message | Should -Match 'Degraded: StageOperationFailed - operation upgrade-archon of stage Core failed'
        $status = Get-GlobalUpgradeStatus
        $status.ComponentState | Should -Be 'Degraded'
        $status.RunningStage | Should -Be 'Core'
        $status.Preflight | Should -Be 'Passed'
        $status.LastRun.State | Should -Be 'Failed'
    }

    It 'a failing upgrade.sh: its exit code and last log lines' {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.1
        Connect-Sim $sim
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Conf @{ GU_FAKE_EXIT = 3 }
        $err = $null
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Force -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'UpgradeTriggerFailed,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.Exception.Message | Should -Match 'exit code 3'
        $err.Exception.Message | Should -Match 'triggering the upgrade to v4.2.0'
        Get-ComponentPatch $sim | Should -BeNullOrEmpty
        (Get-GlobalUpgradeStatus).LastRun.State | Should -Be 'Failed'
    }
}

Describe 'Refused before any change' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.1
        Connect-Sim $sim
    }
    AfterAll { Stop-TestSimulator $sim }
    BeforeEach {
        Use-FreshState
        Remove-Item $runRoot -Recurse -Force -ErrorAction Ignore
    }

    It 'an unsupported path (<Name>), even with -Force' -ForEach @(
        @{ Name = '4.1 → 4.4'; Version = 'v4.4.0' }
        @{ Name = 'a downgrade 4.1 → 4.0'; Version = 'v4.0.0' }
    ) {
        $pkg = New-TestPackage -Root $work -Version $Version -Simulator $sim -Cluster global
        Sync-Package $pkg
        $before = Get-SimStore -Simulator $sim -Cluster global
        $triggersBefore = (Get-TriggerFolder).Count
        { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Force -Confirm:$false } | Should -Throw -ErrorId 'UnsupportedUpgradePath,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        Get-SimStore -Simulator $sim -Cluster global | Should -Be $before
        (Get-TriggerFolder).Count | Should -Be $triggersBefore
        Get-UpgradeRecord | Should -BeNullOrEmpty
    }

    It 'a package whose image sync is not on record; accepted with -Force' {
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
        $before = Get-SimStore -Simulator $sim -Cluster global
        $err = $null
        try { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'ImageSyncNotDone,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        $err.Exception.Message | Should -Match 'Invoke-GlobalImageSync'
        Get-SimStore -Simulator $sim -Cluster global | Should -Be $before
        Get-TriggerFolder | Should -BeNullOrEmpty
        Get-UpgradeRecord | Should -BeNullOrEmpty

        $run = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Force -Confirm:$false
        $run.State | Should -Be 'Succeeded'
        $run.Forced | Should -BeTrue
    }

    It '-WhatIf changes nothing' {
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0'
        $before = Get-SimStore -Simulator $sim -Cluster global
        $result = Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Force -WhatIf
        $result | Should -BeNullOrEmpty
        Get-SimStore -Simulator $sim -Cluster global | Should -Be $before
        Get-TriggerFolder | Should -BeNullOrEmpty
        Get-UpgradeRecord | Should -BeNullOrEmpty
    }

    It 'a cluster that is not a global cluster' {
        $pkg = New-TestPackage -Root $work -Version 'v4.2.0'
        $c = $sim.Clusters['global']
        Invoke-RestMethod -Uri "$($c.Server)/apis/platform.tkestack.io/v1/clusters/global" -Method Delete -Headers @{ Authorization = "Bearer $($c.Token)" } -SkipCertificateCheck | Out-Null
        $before = Get-SimStore -Simulator $sim -Cluster global
        { Start-GlobalUpgrade -PackagePath $pkg -RunRoot $runRoot -Force -Confirm:$false } | Should -Throw -ErrorId 'NotAGlobalCluster,GlobalUpgrade.Commands.Upgrade.StartGlobalUpgradeCommand'
        Get-SimStore -Simulator $sim -Cluster global | Should -Be $before
        Get-TriggerFolder | Should -BeNullOrEmpty
        Get-UpgradeRecord | Should -BeNullOrEmpty
    }
}

Describe 'Get-GlobalUpgradePlan' -Tag CI {
    BeforeAll {
        Use-FreshState
        $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.1
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standby | Out-Null
        $script:pkg = New-TestPackage -Root $work -Version 'v4.3.0'
        Sync-Package $pkg -Cluster standby
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'lists the DR steps in the documented order, with what is done and the windows' {
        $before = Get-SimStore -Simulator $sim -Cluster primary
        $plan = Get-GlobalUpgradePlan -TargetVersion v4.3.0 -PackagePath $pkg
        Get-SimStore -Simulator $sim -Cluster primary | Should -Be $before
        $plan | Should -BeOfType ([GlobalUpgrade.GlobalUpgradePlan])
        $plan.Kind | Should -Be 'DR'
        $plan.PathSupported | Should -BeTrue
        $plan.Paths.ComponentUpgrade | Should -Be @('ClusterVersionShadow', 'ClusterVersionShadow')
        $plan.Steps.Name | Should -Be @('Preflight', 'ImageSync', 'ImageSync', 'UninstallEtcdSync', 'UpgradeStandby', 'UpgradePrimary', 'CheckEtcdPorts', 'InstallEtcdSync', 'VerifySync', 'PostChecks')
        $syncs = $plan.Steps | Where-Object Name -eq 'ImageSync'
        ($syncs | Where-Object Cluster -eq 'standby').AlreadyDone | Should -BeTrue
        ($syncs | Where-Object Cluster -eq 'primary').WouldRun | Should -BeTrue
        $plan.SequentialWindow - $plan.PrestagedWindow | Should -Be ([timespan]::FromHours(2))
        $plan.PrestageLead | Should -Be ([timespan]::FromHours(2))
    }

    It 'takes estimates, and refuses an unknown step' {
        $plan = Get-GlobalUpgradePlan -TargetVersion v4.3.0 -Cluster standby -Estimate @{ ImageSync = '3h'; Upgrade = 45 }
        $plan.Kind | Should -Be 'Standard'
        ($plan.Steps | Where-Object Name -eq 'ImageSync').Estimate | Should -Be ([timespan]::FromHours(3))
        ($plan.Steps | Where-Object Name -eq 'Upgrade').Estimate | Should -Be ([timespan]::FromMinutes(45))
        { Get-GlobalUpgradePlan -TargetVersion v4.3.0 -Estimate @{ Coffee = 5 } } | Should -Throw -ErrorId 'InvalidEstimate,GlobalUpgrade.Commands.Upgrade.GetGlobalUpgradePlanCommand'
    }

    It 'shows an unsupported path without throwing' {
        $plan = Get-GlobalUpgradePlan -TargetVersion v4.4.0
        $plan.PathSupported | Should -BeFalse
        $plan.Paths[0].Reason | Should -Match 'no supported path'
    }
}

Describe 'Start-GlobalUpgrade on a node over SSH' -Tag CI {
    BeforeAll {
        Use-FreshState
        $script:ssh = Start-TestSshd -Directory (Join-Path $work 'sshd')
        $script:node = $ssh.Node
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.1
        Connect-Sim $sim
        $script:pkg = New-TestPackage -Root $work -Version 'v4.2.0' -Simulator $sim -Cluster global
    }
    AfterAll {
        Stop-TestSimulator $sim
        Stop-TestSshd $ssh
    }

    It 'runs the trigger detached on the node, and Wait-GlobalUpgrade re-attaches' {
        $run = Start-GlobalUpgrade @node -PackagePath $pkg -RunRoot $runRoot -Force -Detach -Confirm:$false
        $run.State | Should -Be 'Running'
        $run.Stage | Should -Be 'Trigger'
        $run.Transport | Should -Be 'Ssh'
        $done = Wait-GlobalUpgrade -Id $run.Id -TimeoutSec 60
        $done.State | Should -Be 'Succeeded'
        $done.TriggerExitCode | Should -Be 0
        (Get-SimObject $sim '/apis/cluster.alauda.io/v1alpha1/clustermodules/global').status.base.version | Should -Be 'v4.2.0'
    }
}

# Readiness and the post-upgrade items against the simulator's scenario files over HTTPS: every scenario meets the
# documented prerequisites of its upgrade path, and each condition is met by one scenario and broken by another
# (Readiness.Tests.ps1 writes its cases into the cluster itself; this file tests what the scenarios are).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    # Runs $Test with the simulator of $Scenario connected as the one global cluster.
    function Use-Scenario([string] $Scenario, [scriptblock] $Test) {
        $sim = Start-TestSimulator -Scenario $Scenario -TimeScale 0.2
        try {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
            & $Test
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Stop-TestSimulator $sim
        }
    }

    # The standard runbook to $Target on the primary of a simulated pair of $Scenario; returns the steps and the PostChecks results of the journal.
    function Invoke-ScenarioRunbook([string] $Scenario, [string] $Target, [string[]] $Skip = @(), $Fixture) {
        $f = if ($Fixture) { $Fixture } else { New-TestDrPair -Root $TestDrive -Name "$Scenario-$([guid]::NewGuid().ToString('n').Substring(0, 6))" -Scenario $Scenario -Target $Target -SyncMs 100 -Images 2 }
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Standalone -Name global | Out-Null
        $env:GLOBALUPGRADE_STATE_HOME = $f.State
        $steps = [Collections.Generic.List[object]]::new()
        $failure = $null
        try {
            $arguments = @{ Cluster = 'global'; PackagePath = "$($f.Work)/package-primary"; TargetVersion = $Target; JournalPath = $f.Journal; Confirm = $false }
            if ($Fixture) { $arguments.Resume = $true }
            if ($Skip) { $arguments.SkipReadinessCheck = $Skip }
            # A failed step ends the cmdlet with RunbookStepFailed after its record: keep the records, then the error.
            Invoke-GlobalUpgrade @arguments | ForEach-Object { $steps.Add($_) }
        }
        catch { $failure = $_ }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
        }
        $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
        [pscustomobject]@{
            Fixture = $f
            Steps   = @($steps)
            Post    = $journal.steps | Where-Object name -eq 'PostChecks'
            Checks  = @(($journal.steps | Where-Object name -eq 'PostChecks').outputs.checks)
            Failure = $failure
        }
    }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
}

Describe 'Every scenario meets the documented prerequisites of its upgrade path' -Tag CI {
    It '<Scenario> → <Targets>: no condition Failed, the path and every cluster''s Kubernetes Passed' -TestCases @(
        @{ Scenario = 'healthy'; Targets = @('4.2', '4.3') }
        @{ Scenario = 'v3.16'; Targets = @('4.0') }
        @{ Scenario = 'v3.18'; Targets = @('4.0', '4.1') }
        @{ Scenario = 'v4.0'; Targets = @('4.1') }
        @{ Scenario = 'v4.0-to-4.2'; Targets = @('4.2', '4.3') }
        @{ Scenario = 'v4.2-to-4.3'; Targets = @('4.3') }
        @{ Scenario = 'v4.3.0'; Targets = @('4.3.1') }
        @{ Scenario = 'readiness-clean'; Targets = @('4.2', '4.3') }
        @{ Scenario = 'readiness-preflight'; Targets = @('4.3.1') }
    ) {
        Use-Scenario $Scenario {
            foreach ($target in $Targets) {
                $results = @(Test-GlobalUpgradeReadiness -TargetVersion $target)
                $results | Where-Object State -eq 'Failed' | ForEach-Object { "$($_.Check) on $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty -Because "$Scenario → $target"
                (Get-Result $results 'VersionUpgradePath' 'global').State | Should -Be 'Passed'
                # The module's own check per cluster (a 4.3 CVO reports one of the same name under <cluster>/preflight).
                $kubernetes = @($results | Where-Object { $_.Check -eq 'KubernetesVersionSupported' -and $_.Target -notlike '*/preflight' })
                $kubernetes.Count | Should -BeGreaterThan 0
                $kubernetes | ForEach-Object { $_.State | Should -Be 'Passed' -Because "$Scenario → ${target}: $($_.Message)" }
            }
        }
    }
}

Describe 'Each readiness condition against a scenario that meets it and one that breaks it' -Tag CI {
    It 'readiness-clean passes the conditions the others break, and no path to 4.0 from 4.1' {
        Use-Scenario 'readiness-clean' {
            foreach ($target in '4.2', '4.3') {
                $results = @(Test-GlobalUpgradeReadiness -TargetVersion $target)
                (Get-Result $results 'KubernetesVersionSupported' 'global/business-1').State | Should -Be 'Passed'
                (Get-Result $results 'CustomEtcdBackupTasksAbsent' 'global').State | Should -Be 'Passed'
                (Get-Result $results 'CostManagerAbsent' 'global').State | Should -Be 'Passed'
            }
            (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.0) 'VersionUpgradePath' 'global').State | Should -Be 'Failed'
        }
    }

    It 'readiness-old-kubernetes fails KubernetesVersionSupported for business-1 on 1.30, for 4.2 and for 4.3' {
        Use-Scenario 'readiness-old-kubernetes' {
            $r42 = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'KubernetesVersionSupported' 'global/business-1'
            $r42.State | Should -Be 'Failed'
            $r42.Message | Should -Match 'business-1 runs Kubernetes 1\.30\.14, outside 1\.32 or newer'
            $r43 = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.3) 'KubernetesVersionSupported' 'global/business-1'
            $r43.State | Should -Be 'Failed'
            $r43.Expected | Should -Be '1.31–1.34'
            (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.3) 'KubernetesVersionSupported' 'global/global').State | Should -Be 'Passed'
            Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Quiet | Should -BeFalse
        }
    }

    It 'readiness-etcd-backup fails CustomEtcdBackupTasksAbsent naming the custom task' {
        Use-Scenario 'readiness-etcd-backup' {
            $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CustomEtcdBackupTasksAbsent' 'global'
            $r.State | Should -Be 'Failed'
            $r.Actual | Should -Be 'nightly-offsite'
        }
    }

    It 'readiness-kubecost fails CostManagerAbsent, and the runbook stops in Preflight on it before any change' {
        Use-Scenario 'readiness-kubecost' {
            $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CostManagerAbsent' 'global'
            $r.State | Should -Be 'Failed'
            $r.Message | Should -Match 'kubecost v4\.1\.0 on global'
        }
        $run = Invoke-ScenarioRunbook 'readiness-kubecost' 'v4.2.0'
        try {
            $run.Steps.Name | Should -Be @('Preflight')
            $run.Steps[0].State | Should -Be 'Failed'
            $run.Steps[0].Message | Should -Match 'CostManagerAbsent on global'
            $run.Failure.FullyQualifiedErrorId | Should -Match '^RunbookStepFailed,'
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }

    It 'readiness-preflight: every documented check of the CVO preflight Passed' {
        Use-Scenario 'readiness-preflight' {
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3.1 | Where-Object Target -eq 'global/preflight')
            $results.Count | Should -Be 13
            $results | ForEach-Object { $_.State | Should -Be 'Passed' -Because "$($_.Check): $($_.Message)" }
        }
    }

    It 'readiness-preflight-failed fails the check the CVO failed, with its reason' {
        Use-Scenario 'readiness-preflight-failed' {
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3.1)
            $failed = Get-Result $results 'ResourcePatchUpgradeable' 'global/preflight'
            $failed.State | Should -Be 'Failed'
            $failed.Message | Should -Match 'UnexemptResourcePatches'
            (Get-Result $results 'PreflightSummary' 'global/preflight').State | Should -Be 'Failed'
            (Get-Result $results 'ClusterRunning' 'global/preflight').State | Should -Be 'Passed'
        }
    }

    It 'readiness-preflight-retry: a check in Retry is NotChecked, never Passed' {
        Use-Scenario 'readiness-preflight-retry' {
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3.1)
            $retry = Get-Result $results 'ClusterModuleStable' 'global/preflight'
            $retry.State | Should -Be 'NotChecked'
            $retry.Passed | Should -BeFalse
            $retry.Actual | Should -Be 'Retry'
            @($results | Where-Object State -eq 'Failed' | Where-Object Check -ne 'PreflightSummary').Count | Should -Be 0
            Test-GlobalUpgradeReadiness -TargetVersion 4.3.1 -Quiet | Should -BeFalse
        }
    }
}

Describe 'The ClusterVersionShadow is read where API discovery finds it' -Tag CI {
    It 'reads the CVO preflight from a cluster that serves ClusterVersionShadow at upgrade.alauda.io/v1beta1' {
        # A hand-written snapshot whose clusters serve the CVSH at another group/version than the assumed one.
        $snapshot = Get-Content (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/snapshot/handwritten-pair.json') -Raw | ConvertFrom-Json -AsHashtable
        $primary = $snapshot.clusters | Where-Object role -eq 'Primary'
        $cvsh = $primary.objects | Where-Object kind -eq 'ClusterVersionShadow'
        $cvsh.apiVersion | Should -Be 'upgrade.alauda.io/v1beta1'
        $cvsh.status.conditions = @(@{ type = 'PreflightReady'; status = 'False'; reason = 'PreflightFailed'; message = 'one check failed' })
        $cvsh.status.preflight = @{ observedAt = '2026-11-30T10:00:00Z'; checks = @(
                @{ name = 'PlatformLicense'; policy = 'Always'; state = 'Failed'; reason = 'LicenseExpired'; message = 'the platform license expired' },
                @{ name = 'ClusterRunning'; policy = 'Once'; state = 'Passed'; reason = ''; message = '' }) }
        $path = Join-Path $TestDrive 'other-group.json'
        $snapshot | ConvertTo-Json -Depth 40 | Set-Content $path
        $sim = Start-TestSimulator -Snapshot $path -TimeScale 0.2
        try {
            Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Standalone -Name dc-a | Out-Null
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3.2 | Where-Object Target -eq 'dc-a/preflight')
            $license = Get-Result $results 'PlatformLicense' 'dc-a/preflight'
            $license.State | Should -Be 'Failed'
            $license.Message | Should -Match 'LicenseExpired'
            (Get-Result $results 'ClusterRunning' 'dc-a/preflight').State | Should -Be 'Passed'
            (Get-Result $results 'PreflightSummary' 'dc-a/preflight').State | Should -Be 'Failed'

            $fromCluster = @(Invoke-GlobalUpgradePreflight -FromCluster)
            (Get-Result $fromCluster 'PlatformLicense' 'dc-a/preflight').State | Should -Be 'Failed'
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Stop-TestSimulator $sim
        }
    }
}

Describe 'PostChecks: the documented post-upgrade items against a scenario that meets them and one that breaks them' -Tag CI {
    It 'post-gitops → 4.2: GitOpsPodsHealthy passes and PostChecks succeeds' {
        $run = Invoke-ScenarioRunbook 'post-gitops' 'v4.2.0'
        try {
            $run.Post.state | Should -Be 'Succeeded' -Because $run.Post.message
            $gitops = $run.Checks | Where-Object check -eq 'GitOpsPodsHealthy'
            $gitops.state | Should -Be 'Passed'
            $gitops.target | Should -Be 'global/global/gitops'
            $gitops.actual | Should -Be '2 of 2 healthy'
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }

    It 'post-gitops-unhealthy → 4.2: GitOpsPodsHealthy fails PostChecks and points to the GitOps guide; a waiver lets -Resume finish' {
        $run = Invoke-ScenarioRunbook 'post-gitops-unhealthy' 'v4.2.0'
        try {
            $run.Post.state | Should -Be 'Failed'
            $gitops = $run.Checks | Where-Object check -eq 'GitOpsPodsHealthy'
            $gitops.state | Should -Be 'Failed'
            $gitops.message | Should -Match 'argocd-repo-server-6f8d9c7b5-fghij \(Running, not ready, CrashLoopBackOff\)'
            $gitops.message | Should -Match 'upgrade_gitops_plugin'
            $run.Post.message | Should -Match 'GitOpsPodsHealthy on global/global/gitops'

            $resumed = Invoke-ScenarioRunbook 'post-gitops-unhealthy' 'v4.2.0' -Skip GitOpsPodsHealthy -Fixture $run.Fixture
            $resumed.Post.state | Should -Be 'Succeeded' -Because $resumed.Post.message
            ($resumed.Checks | Where-Object check -eq 'GitOpsPodsHealthy').waived | Should -BeTrue
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }

    It 'post-agnostic → 4.3: AgnosticPluginUpgraded passes; L5PluginCompatible is NotChecked and named, never passed' {
        # The simulator plays no Kubernetes upgrade: the 4.3 check of it (KubernetesVersionUpgraded) is waived here.
        $run = Invoke-ScenarioRunbook 'post-agnostic' 'v4.3.0' -Skip 'KubernetesVersionUpgraded'
        try {
            $run.Post.state | Should -Be 'Succeeded' -Because $run.Post.message
            ($run.Checks | Where-Object { $_.check -eq 'AgnosticPluginUpgraded' -and $_.target -eq 'global/global/velero' }).state | Should -Be 'Passed'
            $l5 = $run.Checks | Where-Object { $_.check -eq 'L5PluginCompatible' -and $_.target -eq 'global/global/hyperflux' }
            $l5.state | Should -Be 'NotChecked'
            $l5.passed | Should -BeFalse
            $run.Post.message | Should -Match 'not checked, not blocking: L5PluginCompatible'
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }

    It 'post-agnostic-old → 4.3: an Agnostic and an L5 plugin older than their published versions fail PostChecks' {
        $run = Invoke-ScenarioRunbook 'post-agnostic-old' 'v4.3.0'
        try {
            $run.Post.state | Should -Be 'Failed'
            $agnostic = $run.Checks | Where-Object { $_.check -eq 'AgnosticPluginUpgraded' -and $_.target -eq 'global/global/velero' }
            $agnostic.state | Should -Be 'Failed'
            $agnostic.message | Should -Match 'v1\.2\.0 .* older than the published v1\.3\.0'
            $agnostic.message | Should -Match 'Marketplace'
            $l5 = $run.Checks | Where-Object { $_.check -eq 'L5PluginCompatible' -and $_.target -eq 'global/global/hyperflux' }
            $l5.state | Should -Be 'Failed'
            $l5.message | Should -Match 'Alauda Hyperflux v1\.1\.0'
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }
}

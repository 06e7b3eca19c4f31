# Test-GlobalUpgradeReadiness and Invoke-GlobalUpgradePreflight against the simulator over HTTPS: every documented
# condition once with a case that passes it and once with one that fails it. The cases are written into the
# simulated cluster by the test itself (admin API /_sim/objects and /_sim/platform-version), so they do not depend
# on what a scenario file holds.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:work = (New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "gu-ready-$([guid]::NewGuid().ToString('n').Substring(0, 8))")).FullName
    $script:minio = (New-Item -ItemType Directory -Force (Join-Path $work 'minio')).FullName
    # This machine as the control-plane node; its free space is far above 1 MB and far below 1 PB.
    $script:localNode = @{ Local = $true; Assumption = @{ MinioPath = $minio; MinioMinimumFreeGB = 0.001 } }

    function Set-SimObject([object[]] $Objects, $Simulator = $sim) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster global -Path '/_sim/objects' -Method POST -Body $Objects | Out-Null
    }

    function Set-SimPlatformVersion([string] $Version, $Simulator = $sim) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster global -Path '/_sim/platform-version' -Method POST -Body @{ version = $Version } | Out-Null
    }

    function New-TkeCluster([string] $Name, [string] $KubernetesVersion) {
        @{ apiVersion = 'platform.tkestack.io/v1'; kind = 'Cluster'; metadata = @{ name = $Name }
            spec = @{ tenantID = 'default'; type = 'Baremetal'; version = $KubernetesVersion }; status = @{ phase = 'Running'; version = $KubernetesVersion } }
    }

    function New-ModuleInfo([string] $Module, [string] $Version, [string] $Cluster = 'global') {
        @{ apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleInfo'
            metadata = @{ name = "$Cluster-$Module-test"; labels = @{ 'cpaas.io/cluster-name' = $Cluster; 'cpaas.io/module-name' = $Module; 'cpaas.io/module-type' = 'plugin' } }
            spec = @{ version = $Version }; status = @{ phase = 'Running'; version = $Version } }
    }

    function New-ModuleConfig([string] $Module, [string] $Version) {
        @{ apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleConfig'
            metadata = @{ name = "$Module-$Version"; labels = @{ 'cpaas.io/module-name' = $Module; 'cpaas.io/module-version' = $Version } }
            spec = @{ name = $Module; version = $Version; config = @{} }; status = @{ readyForDeploy = $true } }
    }

    function New-EtcdBackupTask([string] $Name) {
        @{ apiVersion = 'enhancement.cluster.alauda.io/v1'; kind = 'EtcdBackupConfiguration'; metadata = @{ name = $Name }
            spec = @{ schedule = '0 0 * * *'; paused = $false; localStorage = @{ path = '/cpaas/backup'; ttl = '7776000' } } }
    }

    function New-Cvsh([hashtable[]] $Checks, [string] $PreflightReady) {
        # The documented fields only [doc: release-4.3 upgrade_global_cluster.mdx "Observe execution"].
        @{ apiVersion = 'config.alauda.io/v1'; kind = 'ClusterVersionShadow'; metadata = @{ name = 'global'; namespace = 'cpaas-system' }
            status = @{
                conditions = @(@{ type = 'PreflightReady'; status = $PreflightReady; reason = 'Test'; message = '' })
                preflight  = @{ observedAt = '2026-11-30T10:00:00Z'; checks = $Checks }
                current    = @{ version = 'v4.2.0' }
            } }
    }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Test-GlobalUpgradeReadiness' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.2
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
        # A clean 4.1 → 4.2 case: 4.2 asks every cluster for Kubernetes 1.32 or newer when coming from 4.1.
        Set-SimPlatformVersion 'v4.1.0'
        Set-SimObject @((New-TkeCluster global '1.32.3'), (New-EtcdBackupTask 'etcd-backup-default'))
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'passes every condition of a clean 4.1 → 4.2 with node access but the documented steps that need a person; -Quiet is false while it is open' {
        $all = @(Test-GlobalUpgradeReadiness -TargetVersion 4.2 @localNode)
        # release-4.2 pre-upgrade.mdx: the checklist script and global node isolation need a person (ManualSteps): never passed.
        $manual = @($all | Where-Object Check -in 'SupportChecklistRun', 'GlobalNodeIsolationChecked')
        $manual | Should -HaveCount 2
        $manual.State | Should -Be @('NotChecked', 'NotChecked')
        $results = @($all | Where-Object Check -notin 'SupportChecklistRun', 'GlobalNodeIsolationChecked')
        $results.Check | Should -Contain 'VersionUpgradePath'
        $results.Check | Should -Contain 'KubernetesVersionSupported'
        $results.Check | Should -Contain 'MinioFreeSpace'
        $results.Check | Should -Contain 'CustomEtcdBackupTasksAbsent'
        $results.Check | Should -Contain 'CostManagerAbsent'
        foreach ($r in $results) { $r.State | Should -Be 'Passed' -Because "$($r.Check) on $($r.Target): $($r.Message)" }
        $results | ForEach-Object { $_.Detail.Source | Should -Not -BeNullOrEmpty }
        Test-GlobalUpgradeReadiness -TargetVersion 4.2 @localNode -Quiet | Should -BeFalse -Because 'a step only a person can confirm is not passed'
    }

    It 'never counts a node check it could not make: without node access MinioFreeSpace is NotChecked per control-plane node' {
        $minioResults = @(Test-GlobalUpgradeReadiness -TargetVersion 4.2 | Where-Object Check -eq MinioFreeSpace)
        $minioResults.Count | Should -BeGreaterThan 0
        foreach ($r in $minioResults) {
            $r.State | Should -Be 'NotChecked'
            $r.Passed | Should -BeFalse
            $r.Message | Should -Match '-Local'
        }
        Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Quiet | Should -BeFalse
    }

    It 'VersionUpgradePath fails a path the docs do not list' {
        $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.0) 'VersionUpgradePath' 'global'
        $r.State | Should -Be 'Failed'
        $r.Actual | Should -Be 'v4.1.0 → 4.0'
    }

    It 'MinioFreeSpace fails below the documented free space' {
        $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Local -Assumption @{ MinioPath = $minio; MinioMinimumFreeGB = 1000000 }) 'MinioFreeSpace' "global/$([Environment]::MachineName)"
        $r.State | Should -Be 'Failed'
        $r.Actual | Should -Match "GB free under $([regex]::Escape($minio))"
    }

    It 'KubernetesVersionSupported names each managed cluster outside the documented range' {
        Set-SimObject @(New-TkeCluster 'business-1' '1.31.4')
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.2)
        (Get-Result $results 'KubernetesVersionSupported' 'global/global').State | Should -Be 'Passed'
        $bad = Get-Result $results 'KubernetesVersionSupported' 'global/business-1'
        $bad.State | Should -Be 'Failed'
        $bad.Message | Should -Match 'business-1 runs Kubernetes 1\.31\.4, outside 1\.32 or newer'
        $bad.Detail.Source | Should -Match 'release-4\.2'

        Set-SimObject @(New-TkeCluster 'business-1' '1.32.5')
        (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'KubernetesVersionSupported' 'global/business-1').State | Should -Be 'Passed'
        # The documented range can be replaced by the operator.
        (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2 -KubernetesVersionRange '1.33+') 'KubernetesVersionSupported' 'global/business-1').State | Should -Be 'Failed'
    }

    It 'CustomEtcdBackupTasksAbsent passes etcd-backup-default and fails a custom task' {
        (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CustomEtcdBackupTasksAbsent' 'global').State | Should -Be 'Passed'
        Set-SimObject @(New-EtcdBackupTask 'nightly-offsite')
        $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CustomEtcdBackupTasksAbsent' 'global'
        $r.State | Should -Be 'Failed'
        $r.Actual | Should -Be 'nightly-offsite'
        # Where the tasks live is assumed: pointed elsewhere, nothing is read and nothing passes.
        $elsewhere = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Assumption @{ EtcdBackupResource = 'backup.example.io/v1/tasks' }) 'CustomEtcdBackupTasksAbsent' 'global'
        $elsewhere.State | Should -Be 'NotChecked'
    }

    It 'CostManagerAbsent fails with Kubecost installed' {
        (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CostManagerAbsent' 'global').State | Should -Be 'Passed'
        Set-SimObject @(New-ModuleInfo 'kubecost' 'v4.1.0' 'business-1')
        $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2) 'CostManagerAbsent' 'global'
        $r.State | Should -Be 'Failed'
        $r.Message | Should -Match 'kubecost v4\.1\.0 on business-1'
    }

    It 'Get-GlobalUpgradePlan shows the readiness summary, naming what the runbook would stop on' {
        Set-SimObject @(New-ModuleInfo 'kubecost' 'v4.1.0' 'business-1')
        $plan = Get-GlobalUpgradePlan -TargetVersion v4.2.0
        $plan.Readiness | Should -Match '\d+ of \d+ passed, [1-9]\d* failed'
        $plan.Readiness | Should -Match 'CostManagerAbsent on global'
        $plan.Readiness | Should -Match 'SkipReadinessCheck'
    }

    It 'ExtensionPublished fails a plugin whose 4.3 version is not published until it is pushed' {
        Set-SimObject @((New-ModuleInfo 'metallb' 'v4.1.0'), (New-ModuleConfig 'metallb' 'v4.1.0'))
        $r = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.3) 'ExtensionPublished' 'global/global/metallb'
        $r.State | Should -Be 'Failed'
        $r.Message | Should -Match 'violet'
        Set-SimObject @(New-ModuleConfig 'metallb' 'v4.3.0')
        (Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.3) 'ExtensionPublished' 'global/global/metallb').State | Should -Be 'Passed'
    }

    It 'TopoLvmPublished and LogEssentialsPublished fail until the plugin of the target is pushed' {
        Set-SimObject @((New-ModuleInfo 'topolvm' 'v4.1.0' 'business-1'), (New-ModuleInfo 'log-storage' 'v4.1.0'))
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.2)
        (Get-Result $results 'TopoLvmPublished' 'global/business-1/topolvm').State | Should -Be 'Failed'
        (Get-Result $results 'LogEssentialsPublished' 'global/global/log-storage').State | Should -Be 'Failed'
        Set-SimObject @((New-ModuleConfig 'topolvm' 'v4.2.0'), (New-ModuleConfig 'log-essentials' 'v4.2.0'))
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.2)
        (Get-Result $results 'TopoLvmPublished' 'global/business-1/topolvm').State | Should -Be 'Passed'
        (Get-Result $results 'LogEssentialsPublished' 'global/global/log-storage').State | Should -Be 'Passed'
    }

    It 'the 4.3 preflight: no ClusterVersionShadow is NotChecked; its documented checks count as reported' {
        $none = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3 | Where-Object Target -eq 'global/preflight')
        $none.Count | Should -Be 12
        $none | ForEach-Object { $_.State | Should -Be 'NotChecked' }

        Set-SimObject @(New-Cvsh -PreflightReady 'False' -Checks @(
                @{ name = 'ResourcePatchUpgradeable'; policy = 'Once'; state = 'Failed'; reason = 'UnexemptResourcePatches'; message = 'rp-a is not exempt' },
                @{ name = 'ClusterRunning'; policy = 'Once'; state = 'Passed'; reason = ''; message = '' },
                @{ name = 'PlatformLicense'; policy = 'Always'; state = 'Retry'; reason = 'LicensePending'; message = 'wait' }))
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3 | Where-Object Target -eq 'global/preflight')
        (Get-Result $results 'PreflightSummary' 'global/preflight').State | Should -Be 'Failed'
        $failed = Get-Result $results 'ResourcePatchUpgradeable' 'global/preflight'
        $failed.State | Should -Be 'Failed'
        $failed.Message | Should -Match 'UnexemptResourcePatches'
        (Get-Result $results 'ClusterRunning' 'global/preflight').State | Should -Be 'Passed'
        $retry = Get-Result $results 'PlatformLicense' 'global/preflight'
        $retry.State | Should -Be 'NotChecked'
        $retry.Passed | Should -BeFalse
        (Get-Result $results 'ModuleInfoStable' 'global/preflight').State | Should -Be 'NotChecked'
    }

    It 'from 3.x: Istio below the documented version and ClickHouse fail, Elasticsearch waits for a person' {
        Set-SimObject @((New-TkeCluster global '1.28.2'), (New-TkeCluster 'business-1' '1.28.2'), (New-ModuleInfo 'istio' '1.18.2'), (New-ModuleInfo 'clickhouse' 'v3.16.2'), (New-ModuleInfo 'elasticsearch' 'v3.16.2'))
        Set-SimPlatformVersion 'v3.16.2'
        try {
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.0)
            (Get-Result $results 'KubernetesVersionSupported' 'global/business-1').State | Should -Be 'Passed'
            (Get-Result $results 'IstioVersion' 'global/global/istio').State | Should -Be 'Failed'
            (Get-Result $results 'ClickHouseUninstalled' 'global/global/clickhouse').State | Should -Be 'Failed'
            (Get-Result $results 'ElasticsearchPrepared' 'global/global/elasticsearch').State | Should -Be 'NotChecked'

            # Istio at the documented 1.20 passes from 3.16; without ClickHouse there is nothing to uninstall.
            Set-SimObject @(New-ModuleInfo 'istio' '1.20.4' 'business-1')
            $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.0 -Assumption @{ ClickHouseModules = 'none-here' })
            (Get-Result $results 'IstioVersion' 'global/business-1/istio').State | Should -Be 'Passed'
            @($results | Where-Object Check -eq 'ClickHouseUninstalled').Count | Should -Be 0
        }
        finally {
            Set-SimPlatformVersion 'v4.1.0'
        }
    }

    It 'refuses bad input with a stable error id before reading anything' -TestCases @(
        @{ Arguments = @{ TargetVersion = 'latest' }; Id = 'InvalidPlatformVersion' }
        @{ Arguments = @{ TargetVersion = '4.2'; Assumption = @{ NoSuchThing = 'x' } }; Id = 'InvalidProfileOverride' }
        @{ Arguments = @{ TargetVersion = '4.2'; KubernetesVersionRange = 'newest' }; Id = 'InvalidKubernetesRange' }
        @{ Arguments = @{ TargetVersion = '4.3'; PackagePath = '/root/cpaas-package' }; Id = 'NodeAccessRequired' }
    ) {
        { Test-GlobalUpgradeReadiness @Arguments } | Should -Throw -ErrorId "$Id,GlobalUpgrade.Commands.Readiness.TestGlobalUpgradeReadinessCommand"
    }

    It 'refuses one node for several clusters' {
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone -Name second | Out-Null
        try {
            { Test-GlobalUpgradeReadiness -TargetVersion 4.2 -Local } | Should -Throw -ErrorId 'NodeClusterAmbiguous,GlobalUpgrade.Commands.Readiness.TestGlobalUpgradeReadinessCommand'
        }
        finally { Disconnect-GlobalCluster -Name second }
    }
}

Describe 'The shipped readiness suite' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.2
        Set-SimPlatformVersion 'v4.1.0'
        Set-SimObject @((New-TkeCluster global '1.32.3'), (New-EtcdBackupTask 'etcd-backup-default'))
        function Invoke-Suite {
            $suite = Join-Path (Split-Path $env:GLOBALUPGRADE_MODULE) 'Preflight/GlobalUpgrade.Readiness.Tests.ps1'
            $script = @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$env:GLOBALUPGRADE_PESTER'
`$data = @{ TargetVersion = '4.2'; Context = 'global'; Kubeconfig = '$($sim.Kubeconfig)'; Node = @{ Local = `$true }; Assumption = @{ MinioPath = '$minio'; MinioMinimumFreeGB = 0.001 } }
`$r = Invoke-Pester -Container (New-PesterContainer -Path '$suite' -Data `$data) -PassThru -Output Detailed
'RESULT passed=' + `$r.PassedCount + ' failed=' + `$r.FailedCount + ' inconclusive=' + `$r.InconclusiveCount
"@
            Invoke-ChildPwsh -Script $script
        }
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'passes a clean cluster with one It per condition and target, and fails a custom backup task with its message' {
        $run = Invoke-Suite
        $run.Output | Should -Match 'RESULT passed=(\d+) failed=0'
        $run.Output | Should -Match 'KubernetesVersionSupported on global/global'
        [int]([regex]::Match($run.Output, 'passed=(\d+)').Groups[1].Value) | Should -BeGreaterOrEqual 5
        # The documented steps that need a person (checklist script, node isolation for 4.2): never passed, not failed.
        $run.Output | Should -Match 'inconclusive=2'
        $run.Output | Should -Match 'NEEDS A PERSON: Needs a person \(before the upgrade\): Check whether'

        Set-SimObject @(New-EtcdBackupTask 'nightly-offsite')
        $run = Invoke-Suite
        $run.Output | Should -Match 'RESULT passed=\d+ failed=1'
        $run.Output | Should -Match '\[-\] CustomEtcdBackupTasksAbsent on global'
        $run.Output | Should -Match 'nightly-offsite'
    }
}

Describe 'Invoke-GlobalUpgradePreflight' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.2
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'runs upgrade.sh --preflight here and returns the summary plus one result per documented check' {
        $results = @(Invoke-GlobalUpgradePreflight -PackagePath (New-TestPackage -Root $work -Version 'v4.3.0' -Conf @{ GU_FAKE_CURRENT_VERSION = 'v4.2.0' }) -Cluster global)
        $results.Count | Should -Be 13
        $results[0].Check | Should -Be 'PreflightSummary'
        $results[0].Detail.CurrentVersion | Should -Be 'v4.2.0'
        $results[0].Detail.DesiredVersion | Should -Be 'v4.3.0'
        $results | ForEach-Object { $_.State | Should -Be 'Passed' -Because $_.Message; $_.Target | Should -Be 'global/preflight' }
        $results.Check | Should -Contain 'CustomEtcdBackupCronJobsAbsent'
    }

    It 'reports Failed and Retry as the script prints them; Retry is never passed' {
        $package = New-TestPackage -Root $work -Version 'v4.3.0' -Conf @{ GU_FAKE_PREFLIGHT = 'ResourcePatchUpgradeable=Failed:UnexemptResourcePatches:rp-a not exempt;PlatformLicense=Retry:LicensePending' }
        $results = @(Invoke-GlobalUpgradePreflight -PackagePath $package)
        ($results | Where-Object Check -eq PreflightSummary).State | Should -Be 'Failed'
        $failed = $results | Where-Object Check -eq ResourcePatchUpgradeable
        $failed.State | Should -Be 'Failed'
        $failed.Detail.Reason | Should -Be 'UnexemptResourcePatches'
        $failed.Message | Should -Match 'rp-a not exempt'
        ($results | Where-Object Check -eq PlatformLicense).State | Should -Be 'NotChecked'
        ($results | Where-Object Check -eq ClusterRunning).State | Should -Be 'Passed'
    }

    It 'gives Test-GlobalUpgradeReadiness the checks of a 4.3 package with -PackagePath' {
        $package = New-TestPackage -Root $work -Version 'v4.3.0' -Conf @{ GU_FAKE_PREFLIGHT = 'ClusterModuleStable=Failed:Upgrading:global is upgrading' }
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.3 @localNode -PackagePath $package | Where-Object Target -eq 'global/preflight')
        ($results | Where-Object Check -eq ClusterModuleStable).State | Should -Be 'Failed'
        ($results | Where-Object Check -eq ModuleInfoStable).State | Should -Be 'Passed'
    }

    It 'reads the Cluster Version Operator''s result with -FromCluster, and nothing is NotChecked' {
        $none = @(Invoke-GlobalUpgradePreflight -FromCluster)
        $none.Count | Should -Be 13
        $none | ForEach-Object { $_.State | Should -Be 'NotChecked' }

        Set-SimObject @(New-Cvsh -PreflightReady 'True' -Checks @(foreach ($name in 'ResourcePatchUpgradeable', 'ClusterVersionUpgradeable', 'VersionUpgradePath', 'KubernetesVersionSupported', 'DockerRuntimeUnsupported', 'ClusterRunning', 'ClusterModuleStable', 'ControlPlaneStaticPodsPresent', 'CustomEtcdBackupCronJobsAbsent', 'CRIUpgradePodsAbsent', 'ModuleInfoStable', 'PlatformLicense') {
                    @{ name = $name; policy = 'Once'; state = 'Passed'; reason = ''; message = '' } }))
        $results = @(Invoke-GlobalUpgradePreflight -FromCluster -Cluster global)
        $results | ForEach-Object { $_.State | Should -Be 'Passed' -Because $_.Message }
    }

    It 'refuses a package before 4.3 and a missing package with stable ids' -TestCases @(
        @{ Version = 'v4.2.0'; Id = 'PreflightNotSupported'; Missing = $false }
        @{ Version = 'v4.3.0'; Id = 'PackagePathNotFound'; Missing = $true }
    ) {
        $package = if ($Missing) { Join-Path $work 'no-such-package' } else { New-TestPackage -Root $work -Version $Version }
        { Invoke-GlobalUpgradePreflight -PackagePath $package } | Should -Throw -ErrorId "$Id,GlobalUpgrade.Commands.Readiness.InvokeGlobalUpgradePreflightCommand"
    }
}

Describe 'Readiness node checks over SSH' -Tag CI {
    BeforeAll {
        # A real OpenSSH server on loopback: missing, the test fails (CI installs it through build.ps1 Bootstrap).
        $script:ssh = Start-TestSshd -Directory (Join-Path $work 'sshd')
        $script:sshPort = $ssh.Port
        $script:node = $ssh.Node
        $script:sim = Start-TestSimulator -Scenario healthy -TimeScale 0.2
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
    }
    AfterAll {
        Stop-TestSimulator $sim
        Stop-TestSshd $ssh
    }

    It 'measures MinioFreeSpace with df on the node, passing and failing by the free space' {
        $pass = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2 @node -Assumption @{ MinioPath = $minio; MinioMinimumFreeGB = 0.001 }) 'MinioFreeSpace' "global/127.0.0.1:$sshPort"
        $pass.State | Should -Be 'Passed' -Because $pass.Message
        $fail = Get-Result (Test-GlobalUpgradeReadiness -TargetVersion 4.2 @node -Assumption @{ MinioPath = $minio; MinioMinimumFreeGB = 1000000 }) 'MinioFreeSpace' "global/127.0.0.1:$sshPort"
        $fail.State | Should -Be 'Failed'
    }

    It 'runs upgrade.sh --preflight on the node' {
        $results = @(Invoke-GlobalUpgradePreflight @node -PackagePath (New-TestPackage -Root $work -Version 'v4.3.0' -Conf @{ GU_FAKE_PREFLIGHT = 'DockerRuntimeUnsupported=Failed:DockerFound:node-1 runs docker' }))
        ($results | Where-Object Check -eq DockerRuntimeUnsupported).State | Should -Be 'Failed'
        $results[0].Target | Should -Be "127.0.0.1:$sshPort/preflight"
        $results[0].Detail.Origin | Should -Match "upgrade.sh --preflight on 127.0.0.1:$sshPort"
    }
}

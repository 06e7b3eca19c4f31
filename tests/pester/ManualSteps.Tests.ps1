# The documented steps a machine cannot do (Platform/ManualSteps.cs) are never silent: Test-GlobalUpgradeReadiness
# shows those before the upgrade of the path (Failed where the API shows it, else NotChecked "needs a person" with its
# citation), and the runbook's report lists every step of its path in the order they are done.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
}

Describe 'Documented manual steps' -Tag CI {
    It '3.18 → 4.1: TopoLVM removal is NotChecked with its citation, and Failed while its topolvm-migrate-catalog-updater ModuleInfo is there' {
        $sim = Start-TestSimulator -Scenario 'v3.18' -TimeScale 0.2
        try {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
            $open = Get-Result @(Test-GlobalUpgradeReadiness -TargetVersion 4.1) 'TopoLvmRemoved'
            $open | Should -HaveCount 1
            $open[0].State | Should -Be 'NotChecked'
            $open[0].Message | Should -Match '^Needs a person \(before the upgrade\)'
            $open[0].Message | Should -Match 'otherwise, the cluster upgrade will fail'
            $open[0].Detail.Source | Should -Match 'release-4\.1 UGC "\(Conditional\) Remove TopoLVM"'

            Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/objects' -Method POST -Body @(@{
                    apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleInfo'
                    metadata   = @{ name = 'business-1-topolvm'; labels = @{ 'cpaas.io/cluster-name' = 'business-1'; 'cpaas.io/module-name' = 'topolvm-migrate-catalog-updater'; 'cpaas.io/module-type' = 'plugin' } }
                    spec       = @{ version = 'v3.18.0' }
                }) | Out-Null
            $left = Get-Result @(Test-GlobalUpgradeReadiness -TargetVersion 4.1) 'TopoLvmRemoved'
            $left[0].State | Should -Be 'Failed'
            $left[0].Actual | Should -Match 'business-1'

            # Not a step of 4.0 → 4.1.
            Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/platform-version' -Method POST -Body @{ version = 'v4.0.0' } | Out-Null
            Get-Result @(Test-GlobalUpgradeReadiness -TargetVersion 4.1) 'TopoLvmRemoved' | Should -BeNullOrEmpty
        }
        finally { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $sim }
    }

    It 'the DR runbook''s report lists the manual steps of its path in order, with what Preflight recorded' {
        $f = New-TestDrPair -Root $TestDrive -Name 'manual' -Scenario healthy -Target v4.2.0 -SyncMs 200 -Images 3
        try {
            $run = Invoke-Runbook -Fixture $f -Extra '-PauseBefore ImageSync'
            $preflight = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'Preflight'
            $preflight.state | Should -Be 'Succeeded' -Because "$($run.Output) $($run.Error)"
            $standbyPush = @($preflight.outputs.checks | Where-Object check -eq 'StandbyPackagesPushedToStandby')
            $standbyPush[0].state | Should -Be 'NotChecked'
            $standbyPush[0].message | Should -Match '--dest-repo <standby VIP>'

            $report = Export-GlobalUpgradeReport -JournalPath $f.Journal -Path (Join-Path $f.Work 'report.md')
            $text = Get-Content $report.FullName -Raw
            $section = ($text -split '## Manual steps')[1] -split '## Checks' | Select-Object -First 1
            $rows = @($section -split "`n" | Where-Object { $_ -match '^\| \d+ \|' })
            @($rows | ForEach-Object { ($_ -split ' \| ')[2] }) | Should -Be @('SupportChecklistRun', 'GlobalNodeIsolationChecked', 'StandbyPackagesPushedToStandby', 'ClusterEnhancerInstalled', 'ServiceMeshEssentialsPrepared')
            $rows[1] | Should -Match 'before the upgrade .* NotChecked on standby; NotChecked on primary .*release-4\.2 PRE'
            $rows[3] | Should -Match 'after the upgrade .* not yet recorded'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

# The Functional Components request before 4.3 and what PostChecks say of the cluster plugins' versions, against the
# simulator's ClusterModule controller (it applies exactly the plugin targets a request names, shows the dialog's
# Targets in each ModuleInfo's status.availableVersions, and plays the 4.2.0 → 4.2.1 known issue). What is asserted is
# read back from the simulated cluster over its API and from the runbook's journal.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    # Invoke-GlobalUpgrade to $Target on the primary of a simulated pair of $Scenario (again with -Resume when $Fixture
    # is given); returns the fixture, the PostChecks step and its checks from the journal.
    function Invoke-ComponentsRunbook([string] $Scenario, [string] $Target, [string[]] $Skip = @(), $Fixture) {
        $f = if ($Fixture) { $Fixture } else { New-TestDrPair -Root $TestDrive -Name "$Scenario-$([guid]::NewGuid().ToString('n').Substring(0, 6))" -Scenario $Scenario -Target $Target -SyncMs 100 -Images 2 }
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Standalone -Name global | Out-Null
        $env:GLOBALUPGRADE_STATE_HOME = $f.State
        try {
            $arguments = @{ Cluster = 'global'; PackagePath = "$($f.Work)/package-primary"; TargetVersion = $Target; JournalPath = $f.Journal; Confirm = $false; Resume = [bool] $Fixture }
            if ($Skip) { $arguments.SkipReadinessCheck = $Skip }
            # A failed PostChecks ends the cmdlet with RunbookStepFailed: the journal says why.
            try { Invoke-GlobalUpgrade @arguments | Out-Null } catch { Write-Verbose "runbook stopped: $_" }
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
        }
        $post = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'PostChecks'
        [pscustomobject]@{ Fixture = $f; Post = $post; Checks = @($post.outputs.checks) }
    }

    function Get-ClusterModule($Simulator) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster primary -Path '/apis/cluster.alauda.io/v1alpha1/clustermodules/global'
    }

    # A plugin's ModuleInfo, found by label as the platform renames it.
    function Get-Plugin($Simulator, [string] $Module) {
        (Invoke-SimAdmin -Simulator $Simulator -Cluster primary -Path "/apis/cluster.alauda.io/v1alpha1/moduleinfoes?labelSelector=cpaas.io/module-name%3D$Module").items[0]
    }

    function Get-Check($Run, [string] $Check, [string] $Module) {
        $Run.Checks | Where-Object { $_.check -eq $Check -and $_.target -eq "global/global/$Module" }
    }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
}

Describe 'Before 4.3 the components request states the cluster plugins'' targets' -Tag CI {
    It '4.1 → 4.2: names the plugin offered a higher version at that version; PostChecks compare the versions and pass' {
        $run = Invoke-ComponentsRunbook 'components-plugins' 'v4.2.0'
        try {
            $run.Post.state | Should -Be 'Succeeded' -Because $run.Post.message
            $module = Get-ClusterModule $run.Fixture.Simulator
            $module.spec.version | Should -Be 'v4.2.0'
            @($module.spec.upgradeModulesInfos | ForEach-Object { "$($_.name)=$($_.version)" }) | Should -Be @('velero=v1.3.0')
            (Get-Plugin $run.Fixture.Simulator velero).status.version | Should -Be 'v1.3.0'
            (Get-Check $run 'PluginNotDowngraded' 'velero').state | Should -Be 'Passed'
            (Get-Check $run 'PluginNotDowngraded' 'velero').expected | Should -Be 'v1.2.0 or later' -Because 'Preflight recorded the version before the upgrade in the journal'
            (Get-Check $run 'PluginNotBehind' 'velero').state | Should -Be 'Passed'
        }
        finally { Stop-TestSimulator $run.Fixture.Simulator }
    }
}

Describe '4.2.0 → 4.2.1 follows the known issue of ACP 4.2.1' -Tag CI {
    BeforeAll {
        $script:run = Invoke-ComponentsRunbook 'components-4.2.0' 'v4.2.1'
        $script:sim = $run.Fixture.Simulator
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'holds the plugin shown a lower target (Do not upgrade), upgrades the one offered a higher, and asks once' {
        $module = Get-ClusterModule $sim
        $module.spec.version | Should -Be 'v4.2.1'
        $module.status.base.version | Should -Be 'v4.2.1'
        $named = @($module.spec.upgradeModulesInfos | ForEach-Object { "$($_.name)=$($_.version)" })
        $named | Should -Contain 'velero=v1.3.0'
        $named | Should -Not -Match '^acp-base='
        (Get-Plugin $sim acp-base).status.version | Should -Be 'v4.2.0' -Because 'the dialog showed v4.1.0 as its Target; it must be held, or it is downgraded'
        (Get-Plugin $sim velero).status.version | Should -Be 'v1.3.0'
        @(Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/_sim/requests' | Where-Object { $_.method -eq 'PATCH' -and $_.path -match 'clustermodules' }).Count |
            Should -Be 1 -Because 'Upgrade is not pressed a second time'
    }

    It 'PostChecks fail on the plugin left behind a version the platform offers' {
        $run.Post.state | Should -Be 'Failed'
        $behind = Get-Check $run 'PluginNotBehind' 'hyperflux'
        $behind.state | Should -Be 'Failed'
        $behind.message | Should -Match 'stayed at v1\.1\.0 although the platform offers v1\.2\.0'
        (Get-Check $run 'PluginNotDowngraded' 'acp-base').state | Should -Be 'Passed'
        (Get-Check $run 'PluginNotBehind' 'velero').state | Should -Be 'Passed'
    }

    It 'PostChecks fail on the plugin a second Upgrade press downgraded' {
        # The operator confirms the dialog again as it is shown (no targets changed): the known issue downgrades.
        $c = $sim.Clusters['primary']
        Invoke-RestMethod -Uri "$($c.Server)/apis/cluster.alauda.io/v1alpha1/clustermodules/global" -Method PATCH -SkipCertificateCheck `
            -Headers @{ Authorization = "Bearer $($c.Token)" } -ContentType 'application/merge-patch+json' -Body '{"spec":{"upgradeModulesInfos":null}}' | Out-Null
        $deadline = (Get-Date).AddSeconds(60)
        while ((Get-Plugin $sim acp-base).status.version -eq 'v4.2.0' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }

        $resumed = Invoke-ComponentsRunbook 'components-4.2.0' 'v4.2.1' -Skip PluginNotBehind -Fixture $run.Fixture
        $resumed.Post.state | Should -Be 'Failed'
        $lowered = Get-Check $resumed 'PluginNotDowngraded' 'acp-base'
        $lowered.state | Should -Be 'Failed'
        $lowered.message | Should -Match 'ran v4\.2\.0 before the upgrade and runs v4\.1\.0 now'
    }
}

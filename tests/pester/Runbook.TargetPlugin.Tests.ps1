# The synchronizer the DR runbook re-installs after both upgrades must be pushed to the standby's own platform before
# anything is uninstalled: from 4.3 it is an Aligned plugin the core package does not bring, pushed with violet
# (release-4.3 pre-upgrade.mdx "Step 1: Download the Core Package"). Preflight's TargetSynchronizerPublished reads the
# standby's ArtifactVersions (its own pushes; its ModuleConfigs are copied from the primary) and stops the run unless
# the target's line is there, a pinned -EtcdSync Version is there, or the operator waives it by name (recorded).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function New-To43Pair([string] $Name) {
        New-TestDrPair -Root $TestDrive -Name $Name -Scenario 'v4.2-to-4.3' -Target v4.3.0 -SyncMs 200 -Images 3
    }

    # Preflight only (the run pauses before the image sync); the journal's Preflight entry and its checks.
    function Invoke-Preflight($Fixture, [string] $Extra = '', [string] $EtcdSync) {
        $arguments = @{ Fixture = $Fixture; Extra = "-PauseBefore ImageSync $Extra" }
        if ($EtcdSync) { $arguments.EtcdSync = $EtcdSync }
        $run = Invoke-ChildPwsh -Script (Get-RunbookScript @arguments)
        $journal = Get-Content $Fixture.Journal -Raw | ConvertFrom-Json
        $preflight = $journal.steps | Where-Object name -eq 'Preflight'
        [pscustomobject]@{
            Run = $run; Journal = $journal; Step = $preflight
            Check = @($preflight.outputs.checks | Where-Object check -eq 'TargetSynchronizerPublished')
        }
    }

    function Get-Uninstalls($Simulator) {
        @(Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/_sim/requests') | Where-Object { $_.method -eq 'DELETE' -and $_.path -match 'moduleinfoes' }
    }
}

Describe 'Invoke-GlobalDrUpgrade: the target''s synchronizer is a Preflight gate' -Tag CI {
    It 'stops in Preflight, before anything is uninstalled, when the 4.3 synchronizer is not pushed to the standby, and says how to push it' {
        $f = New-To43Pair 'not-pushed'
        try {
            # Pushed to the primary only (violet without --dest-repo <standby VIP>): not the standby's own.
            Push-SimPlugin -Simulator $f.Simulator -Cluster primary -Version v4.3.0 | Out-Null
            $p = Invoke-Preflight $f
            $p.Step.state | Should -Be 'Failed' -Because "$($p.Run.Output) $($p.Run.Error)"
            $p.Check | Should -HaveCount 1
            $p.Check[0].state | Should -Be 'Failed'
            $p.Check[0].target | Should -Be 'standby'
            $p.Check[0].message | Should -Match 'violet push'
            $p.Check[0].message | Should -Match '--dest-repo 192\.168\.131\.10:11443'
            $p.Check[0].message | Should -Match '-SkipReadinessCheck TargetSynchronizerPublished'
            "$($p.Run.Output) $($p.Run.Error)" | Should -Match 'TargetSynchronizerPublished'
            ($p.Journal.steps | Where-Object name -eq 'UninstallEtcdSync').state | Should -Be 'Pending'
            Get-Uninstalls $f.Simulator | Should -BeNullOrEmpty
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'passes once the operator has pushed it to the standby' {
        $f = New-To43Pair 'pushed'
        try {
            Push-SimPlugin -Simulator $f.Simulator -Cluster standby -Version v4.3.0 | Out-Null
            $p = Invoke-Preflight $f
            $p.Step.state | Should -Be 'Succeeded' -Because "$($p.Run.Output) $($p.Run.Error)"
            $p.Check[0].state | Should -Be 'Passed'
            $p.Check[0].actual | Should -Be 'v4.3.0'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'checks the version -EtcdSync pins rather than the line' {
        $f = New-To43Pair 'pinned'
        try {
            Push-SimPlugin -Simulator $f.Simulator -Cluster standby -Version v4.3.0 | Out-Null
            $missing = Invoke-Preflight $f -EtcdSync "@{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = `$true; Version = 'v4.3.7' }"
            $missing.Step.state | Should -Be 'Failed' -Because "$($missing.Run.Output) $($missing.Run.Error)"
            $missing.Check[0].expected | Should -Match 'etcd-sync v4\.3\.7 \(-EtcdSync Version\)'
            Get-Uninstalls $f.Simulator | Should -BeNullOrEmpty

            Push-SimPlugin -Simulator $f.Simulator -Cluster standby -Version v4.3.7 | Out-Null
            Remove-Item $f.Journal
            $pinned = Invoke-Preflight $f -EtcdSync "@{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = `$true; Version = 'v4.3.7' }"
            $pinned.Step.state | Should -Be 'Succeeded' -Because "$($pinned.Run.Output) $($pinned.Run.Error)"
            $pinned.Check[0].state | Should -Be 'Passed'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'goes on with a waiver given by name, recorded in the journal and the report' {
        $f = New-To43Pair 'waived'
        try {
            $p = Invoke-Preflight $f '-SkipReadinessCheck TargetSynchronizerPublished'
            $p.Step.state | Should -Be 'Succeeded' -Because "$($p.Run.Output) $($p.Run.Error)"
            $p.Check[0].state | Should -Be 'Failed'
            $p.Check[0].waived | Should -BeTrue
            $p.Check[0].message | Should -Match '^Waived by -SkipReadinessCheck TargetSynchronizerPublished'
            @($p.Step.outputs.skipReadinessCheck) | Should -Contain 'TargetSynchronizerPublished'

            Import-Module $env:GLOBALUPGRADE_MODULE -Force
            $report = Export-GlobalUpgradeReport -JournalPath $f.Journal -Path (Join-Path $f.Work 'report.md')
            Get-Content $report.FullName -Raw | Should -Match '\| Preflight \| TargetSynchronizerPublished \| standby \| failed \| Waived by -SkipReadinessCheck'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

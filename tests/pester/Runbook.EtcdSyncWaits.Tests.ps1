# InstallEtcdSync in the runbook: a synchronizer that never connects fails the step within the synchronizer's own
# budget (its phases', -Assumption), not within the step's (-StepTimeoutSec), naming the phase that stalled.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
}

Describe 'Invoke-GlobalDrUpgrade with a synchronizer that never connects' -Tag CI {
    It 'fails InstallEtcdSync within EtcdSyncStartTimeout, naming the phase SyncStarted and the leader''s connection error' {
        $f = New-TestDrPair -Root $TestDrive -Name 'never-connects' -Scenario healthy -Target v4.2.0 -SyncMs 200 -Images 3
        try {
            $etcdSync = "@{ ActiveClusterVip = '192.168.130.10'; ActiveEtcdEndpoint = 'https://192.168.130.99:2379'; SkipEndpointCheck = `$true }"
            $run = Invoke-ChildPwsh -Script (Get-RunbookScript -Fixture $f -EtcdSync $etcdSync -Extra "-StepTimeoutSec 3600 -Assumption @{ EtcdSyncStartTimeout = '5s' }")
            $run.ExitCode | Should -Not -Be 0
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $step = $journal.steps | Where-Object name -eq 'InstallEtcdSync'
            $step.state | Should -Be 'Failed' -Because "$($run.Output) $($run.Error)"
            $took = ([DateTimeOffset]$step.finishedAt - [DateTimeOffset]$step.startedAt).TotalSeconds
            $took | Should -BeLessThan 120 -Because 'the phase''s 5 s budget ends the wait, not the step''s 3600 s'
            $step.message | Should -Match 'stalled in phase SyncStarted'
            $step.message | Should -Match ([regex]::Escape("waiting for log line 'Start Sync update'"))
            $step.message | Should -Match ([regex]::Escape('dial tcp 192.168.130.99:2379: i/o timeout'))
            @($journal.steps | Where-Object { $_.name -in 'UpgradeStandby', 'UpgradePrimary' } | Where-Object state -NE 'Succeeded') | Should -BeNullOrEmpty
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

# One -Assumption reaches the whole runbook: the etcd-sync monitor's port, corrected for a platform where the monitor
# service listens on 8080 (simulator scenario monitor-port), is shown by -WhatIf, recorded in the journal, kept by a
# -Resume that does not repeat it, and used by Preflight and VerifySync; a wrong one makes them fail, never pass.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    function New-MonitorPortPair([string] $Name) {
        New-TestDrPair -Root $TestDrive -Name $Name -Scenario monitor-port -Target v4.2.0 -SyncMs 300 -Images 5
    }

    function Get-Steps($Run) { @($Run.Output -split "`n" | Where-Object { $_ -like 'STEP *' } | ForEach-Object { $_.Trim() }) }

    # The standby's service-proxy requests to the monitor, as the simulator logged them.
    function Get-MonitorRequests($Simulator) {
        @((Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/_sim/requests') | Where-Object { $_.path -match '/services/etcd-sync-monitor[^/]*/proxy/' } | ForEach-Object { ($_.path -split '\?')[0] })
    }
}

Describe 'Invoke-GlobalDrUpgrade -Assumption' -Tag CI {
    It 'shows a corrected monitor port under -WhatIf, records it in the journal and reads the monitor on it in Preflight and VerifySync' {
        $f = New-MonitorPortPair 'port-ok'
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
            $plan = Invoke-GlobalDrUpgrade -PackagePath "$($f.Work)/package-primary" -TargetVersion v4.2.0 -JournalPath $f.Journal -Assumption @{ MonitorPort = 8080 } -WhatIf
            $plan.Assumptions['MonitorPort'] | Should -Be '8080'
            Get-GlobalCluster | Disconnect-GlobalCluster
            $whatIf = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 8080 } -WhatIf"
            $whatIf.Output | Should -Match 'Assumptions: MonitorPort = 8080' -Because $whatIf.Error

            $run = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 8080 }"
            $run.ExitCode | Should -Be 0 -Because $run.Error
            $steps = Get-Steps $run
            $steps | Should -Contain 'STEP Preflight primary,standby Succeeded'
            $steps | Where-Object { $_ -match '^STEP VerifySync ' } | Should -Match 'Succeeded$'
            (Get-Content $f.Journal -Raw | ConvertFrom-Json).assumptions.MonitorPort | Should -Be '8080'
            $requests = Get-MonitorRequests $f.Simulator
            $requests | Should -Not -BeNullOrEmpty
            $requests | Where-Object { $_ -notmatch '/services/etcd-sync-monitor:8080/proxy/' } | Should -BeNullOrEmpty -Because 'every read of the monitor used the port given'
        }
        finally { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $f.Simulator }
    }

    It 'fails Preflight, changing nothing, when the monitor port given is not the service''s' {
        $f = New-MonitorPortPair 'port-wrong'
        try {
            $run = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 80 }"
            $run.ExitCode | Should -Not -Be 0
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $journal.assumptions.MonitorPort | Should -Be '80'
            $journal.steps[0].name | Should -Be 'Preflight'
            $journal.steps[0].state | Should -Be 'Failed'
            $monitor = @($journal.steps[0].outputs.checks | Where-Object { $_.message -match 'no service port' })
            $monitor | Should -Not -BeNullOrEmpty -Because ($journal.steps[0].outputs.checks | ConvertTo-Json -Depth 3)
            $monitor.state | Should -Not -Contain 'Passed'
            @($journal.steps | Select-Object -Skip 1 | Where-Object state -NE 'Pending') | Should -BeNullOrEmpty -Because 'no later step ran'
            Get-MonitorRequests $f.Simulator | Should -Match '/services/etcd-sync-monitor:80/proxy/'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'keeps the journal''s assumptions on -Resume and takes a correction given with it, in VerifySync' {
        $f = New-MonitorPortPair 'port-resume'
        try {
            $first = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 8080 } -PauseBefore VerifySync"
            (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'InstallEtcdSync' | ForEach-Object state | Should -Be 'Succeeded' -Because "$($first.Output) $($first.Error)"

            # A wrong correction with the resume: VerifySync reads the monitor on it and cannot tell the sync state.
            $wrong = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 80 } -VerifySyncTimeoutSec 10" -Resume
            $wrong.ExitCode | Should -Not -Be 0
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $journal.assumptions.MonitorPort | Should -Be '80'
            ($journal.steps | Where-Object name -eq 'VerifySync').state | Should -Be 'Failed'
            ($journal.steps | Where-Object name -eq 'VerifySync').message | Should -Match 'SyncMonitorUnavailable'

            # A resume without -Assumption keeps what the journal records (80 still fails) ...
            $kept = Invoke-Runbook $f -Extra "-VerifySyncTimeoutSec 10" -Resume
            $kept.ExitCode | Should -Not -Be 0
            ((Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'VerifySync').state | Should -Be 'Failed'

            # ... and the right port given again lets VerifySync see the standby in sync.
            $fixed = Invoke-Runbook $f -Extra "-Assumption @{ MonitorPort = 8080 }" -Resume
            $fixed.ExitCode | Should -Be 0 -Because $fixed.Error
            Get-Steps $fixed | Where-Object { $_ -match '^STEP VerifySync ' } | Should -Match 'Succeeded$'
            (Get-Content $f.Journal -Raw | ConvertFrom-Json).assumptions.MonitorPort | Should -Be '8080'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

Describe 'Runbook -Assumption input' -Tag CI {
    BeforeAll {
        $script:inputs = New-TestDrPair -Root $TestDrive -Name 'assumption-inputs' -Scenario healthy -Target v4.2.0 -SyncMs 300 -Images 5
        Connect-GlobalCluster -Kubeconfig $inputs.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Kubeconfig $inputs.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
        $script:dr = @{ PackagePath = "$($inputs.Work)/package-primary"; TargetVersion = 'v4.2.0'; JournalPath = $inputs.Journal; WhatIf = $true }
    }
    AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $inputs.Simulator }

    It 'refuses an unknown name, listing the known ones, before any journal' {
        $err = { Invoke-GlobalDrUpgrade @dr -Assumption @{ MonitorPrt = 8080 } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'InvalidProfileOverride,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'MonitorPrt'
        $err.Exception.Message | Should -Match 'MonitorPort.*ClusterModuleUpgradeAvailableTimeout.*MinioPath'
        Test-Path $inputs.Journal | Should -BeFalse
    }

    It 'refuses a monitor port that is neither a number nor a port name' {
        $err = { Invoke-GlobalDrUpgrade @dr -Assumption @{ MonitorPort = '80/tcp' } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'InvalidProfileOverride,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand'
    }

    It 'still takes the readiness names through the older -ReadinessAssumption' {
        $plan = Invoke-GlobalDrUpgrade @dr -ReadinessAssumption @{ MinioPath = '/data/minio' }
        $plan.Assumptions['MinioPath'] | Should -Be '/data/minio'
    }

    It 'refuses <Credential> without <Registry> with the id Invoke-GlobalImageSync uses' -ForEach @(
        @{ Credential = 'RegistryCredential'; Registry = '-Registry' }
        @{ Credential = 'StandbyRegistryCredential'; Registry = '-StandbyRegistry' }
    ) {
        $secret = [pscredential]::new('u', (ConvertTo-SecureString 'not-shown' -AsPlainText -Force))
        $login = @{ $Credential = $secret }
        $err = { Invoke-GlobalDrUpgrade @dr @login } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'RegistryMissing,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match ([regex]::Escape($Registry))
        $err.Exception.Message | Should -Not -Match 'not-shown'
        $sync = { Invoke-GlobalImageSync -PackagePath /tmp/pkg -RegistryCredential $secret } | Should -Throw -PassThru
        ($sync.FullyQualifiedErrorId -split ',')[0] | Should -BeExactly ($err.FullyQualifiedErrorId -split ',')[0]
    }

    It 'refuses -RegistryCredential without -Registry in the standard runbook too' {
        $login = [pscredential]::new('u', (ConvertTo-SecureString 'not-shown' -AsPlainText -Force))
        $err = { Invoke-GlobalUpgrade -Cluster primary -PackagePath /tmp/pkg -TargetVersion v4.2.0 -JournalPath $inputs.Journal -RegistryCredential $login -WhatIf } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'RegistryMissing,GlobalUpgrade.Commands.Runbook.InvokeGlobalUpgradeCommand'
    }
}

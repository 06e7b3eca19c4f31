# An API server that pushes back (429 from API priority and fairness, 503 while it restarts) changes no result:
# the consistency checks, readiness and the DR runbook give the same answers with one request in five answered 429
# Retry-After: 1 as without, and a request is given up, with a stable id, only when the pushback outlasts its budget.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    # What an operator reads from the checks, without the wording of messages.
    function Get-Verdicts([object[]] $Results) {
        @($Results | ForEach-Object { "$($_.Check) $($_.Target) $(if ($null -ne $_.State) { $_.State } else { $_.Passed })" } | Sort-Object)
    }

    function Get-Pushed($Simulator, [string] $Cluster, [int] $Status = 429) {
        @(Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/requests' | ForEach-Object { $_ } | Where-Object status -EQ $Status)
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'A healthy DR pair behind an API server that pushes back' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -Dr
        Connect-SimPair $sim
        $script:consistency = Get-Verdicts (Test-GlobalDrConsistency)
        $script:readiness = Get-Verdicts (Test-GlobalUpgradeReadiness -TargetVersion 4.2)
        $script:sync = Get-EtcdSyncStatus
        Get-GlobalCluster | Disconnect-GlobalCluster
    }
    AfterAll { Stop-TestSimulator $sim }
    AfterEach { Set-SimPushback -Simulator $sim -Clear; Get-GlobalCluster | Disconnect-GlobalCluster }

    It 'connects and gives the same consistency, readiness and sync results with one request in five answered <Status> Retry-After: 1' -ForEach @(
        @{ Status = 429 }
        @{ Status = 503 }
    ) {
        $consistency | Should -Contain 'StandbyInSync standby Passed' -Because 'the reference is a healthy pair'
        $readiness | Should -Not -BeNullOrEmpty
        Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/_sim/requests' -Method DELETE | Out-Null
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        Set-SimPushback -Simulator $sim -Every 5 -Status $Status -RetryAfter 1

        Connect-SimPair $sim
        $out = Test-GlobalDrConsistency -Verbose 4>&1
        $verbose = $out | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        Get-Verdicts ($out | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }) | Should -Be $consistency
        Get-Verdicts (Test-GlobalUpgradeReadiness -TargetVersion 4.2) | Should -Be $readiness
        $syncNow = Get-EtcdSyncStatus
        $syncNow.IsInSync | Should -Be $sync.IsInSync
        $syncNow.Source | Should -Be $sync.Source

        foreach ($cluster in 'primary', 'standby') {
            (Get-Pushed $sim $cluster $Status).Count | Should -BeGreaterThan 0 -Because "$cluster pushed back while they ran"
        }
        $retried = $verbose.Message | Where-Object { $_ -match "^\[(primary|standby)\] GET /\S*: $Status \w+, Retry-After 1s; retrying in 1 s \(attempt 2 of \d+\)$" }
        $retried | Should -Not -BeNullOrEmpty -Because "-Verbose says what was retried and why: $($verbose.Message -join '; ')"
    }

    It 'connects through a restart window: every request answered 503 without Retry-After for 1.5 s' {
        Set-SimPushback -Simulator $sim -Cluster primary -Every 1 -Status 503 -RetryAfter '' -ForMs 1500
        $cluster = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary
        $cluster.PlatformVersion | Should -Not -BeNullOrEmpty
        (Get-Pushed $sim primary 503).Count | Should -BeGreaterThan 1
    }

    It 'gives up with ApiRequestFailed, before -RequestTimeoutSec, when the pushback would outlast it' {
        Set-SimPushback -Simulator $sim -Cluster primary -Every 1 -RetryAfter 1
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = { Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary -RequestTimeoutSec 3 } | Should -Throw -PassThru
        # Given up before the request timeout fired (that would be ServerTimeout); the bound leaves the cmdlet's own time on a loaded machine.
        $err.FullyQualifiedErrorId | Should -BeLike 'ApiRequestFailed,*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err.Exception.Message | Should -Match 'pushed back with 429 TooManyRequests'
        (Get-Pushed $sim primary).Count | Should -Be 3 -Because 'sent at 0, 1 and 2 s; a wait to 3 s would pass the budget'
    }
}

Describe 'The DR runbook behind an API server that pushes back' -Tag CI {
    BeforeAll {
        # The steps and the end state of a run, without what differs by nature (names, uids, times).
        function Get-RunbookOutcome([string] $Name, [switch] $Pushback) {
            $f = New-TestDrPair -Root $TestDrive -Name $Name -Scenario healthy -Target v4.2.0 -SyncMs 300 -Images 5
            try {
                if ($Pushback) { Set-SimPushback -Simulator $f.Simulator -Every 5 -RetryAfter 1 }
                $run = Invoke-Runbook $f
                $run.ExitCode | Should -Be 0 -Because $run.Error
                @($run.Output -split "`n" | Where-Object { $_ -like 'STEP *' } | ForEach-Object Trim)
                foreach ($cluster in 'primary', 'standby') {
                    $store = Invoke-SimAdmin -Simulator $f.Simulator -Cluster $cluster -Path '/_sim/store'
                    "$cluster version=$(($store | Where-Object kind -EQ 'ProductBase').status.version)"
                    "$cluster modules=$(@($store | Where-Object kind -EQ 'ModuleInfo' | ForEach-Object { "$($_.metadata.labels.'cpaas.io/module-name'):$($_.status.phase)" } | Sort-Object) -join ',')"
                    if ($Pushback) { (Get-Pushed $f.Simulator $cluster).Count | Should -BeGreaterThan 0 -Because "$cluster pushed back during the run" }
                }
            }
            finally { Stop-TestSimulator $f.Simulator }
        }
    }

    It 'runs to the same steps and end state with one request in five answered 429 Retry-After: 1' {
        $without = Get-RunbookOutcome 'without'
        $with = Get-RunbookOutcome 'with' -Pushback
        $without | Should -Contain 'standby version=v4.2.0'
        $with | Should -Be $without
    }
}

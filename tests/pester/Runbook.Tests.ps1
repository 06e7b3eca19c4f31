# Invoke-GlobalDrUpgrade against a simulated DR pair: a whole run, a run killed and resumed, damaged journals,
# the standby-first rule, and the report. The runbook runs in a child pwsh where it must be killable.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    function New-DrFixture([string] $Name, [int] $SyncMs = 300) {
        New-TestDrPair -Root $TestDrive -Name $Name -Scenario healthy -Target v4.2.0 -SyncMs $SyncMs -Images 5
    }

    function Get-ChangeRequests($Simulator) {
        # The change-making requests of the runbook (not idempotent if repeated blindly).
        foreach ($cluster in 'primary', 'standby') {
            (Invoke-SimAdmin -Simulator $Simulator -Cluster $cluster -Path '/_sim/requests') | Where-Object {
                ($_.method -eq 'DELETE' -and $_.path -match 'moduleinfoes') -or
                ($_.method -eq 'POST' -and $_.path -match 'moduleinfoes') -or
                ($_.method -eq 'PATCH' -and $_.path -match 'clustermodules|clusterversionshadows')
            } | ForEach-Object { "$cluster $($_.method) $(($_.path -split '\?')[0])" }
        }
    }

    function Get-FinalState($Simulator) {
        # What an uninterrupted run leaves, without what differs by nature (names, uids, times, versions of objects).
        foreach ($cluster in 'primary', 'standby') {
            $store = Invoke-SimAdmin -Simulator $Simulator -Cluster $cluster -Path '/_sim/store'
            "$cluster version=" + ($store | Where-Object { $_.kind -eq 'ProductBase' }).status.version
            "$cluster clustermodule=" + ($store | Where-Object { $_.kind -eq 'ClusterModule' } | ForEach-Object { "$($_.spec.version)/$($_.status.base.deployStatus)" })
            "$cluster moduleinfoes=" + @($store | Where-Object { $_.kind -eq 'ModuleInfo' } | ForEach-Object { "$($_.metadata.labels.'cpaas.io/module-name'):$($_.status.phase)" } | Sort-Object) -join ','
            "$cluster etcd-sync-pods=" + @($store | Where-Object { $_.kind -eq 'Pod' -and $_.metadata.labels.app -eq 'etcd-sync' }).Count
        }
    }
}

Describe 'Invoke-GlobalDrUpgrade' -Tag CI {
    It 'runs the whole DR upgrade in the documented order, standby before primary, as -WhatIf planned it' {
        $f = New-DrFixture 'whole'
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
            $plan = Invoke-GlobalDrUpgrade -PackagePath "$($f.Work)/package-primary" -TargetVersion v4.2.0 -JournalPath $f.Journal -WhatIf
            Get-GlobalCluster | Disconnect-GlobalCluster

            $run = Invoke-Runbook $f
            $run.ExitCode | Should -Be 0 -Because $run.Error
            $steps = @($run.Output -split "`n" | Where-Object { $_ -like 'STEP *' })
            ($steps | ForEach-Object { ($_ -split ' ')[1] }) | Should -Be @('Preflight', 'ImageSync', 'ImageSync', 'UninstallEtcdSync', 'UpgradeStandby', 'UpgradePrimary', 'CheckEtcdPorts', 'InstallEtcdSync', 'VerifySync', 'PostChecks')
            ($steps | ForEach-Object { ($_ -split ' ')[1..2] -join ' ' }) | Should -Be @($plan.Steps | ForEach-Object { "$($_.Name) $($_.Cluster)" }) -Because 'the plan and the run are one list'
            $steps | Where-Object { $_ -notmatch ' (Succeeded|Skipped)$' } | Should -BeNullOrEmpty
            $state = Get-FinalState $f.Simulator
            $state | Should -Contain 'primary version=v4.2.0'
            $state | Should -Contain 'standby version=v4.2.0'
            (Get-ChangeRequests $f.Simulator) | Where-Object { $_ -match 'DELETE' } | Should -HaveCount 1
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $journal.steps | Where-Object name -eq 'UpgradeStandby' | ForEach-Object { [datetimeoffset]$_.finishedAt } | Should -BeLessThan ([datetimeoffset]($journal.steps | Where-Object name -eq 'UpgradePrimary').startedAt)
            $script:reference = $state
        }
        finally { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $f.Simulator }
    }

    It 'resumes after being killed during <Step>, to the same end state, issuing no change twice' -ForEach @(
        @{ Step = 'ImageSync' }
        @{ Step = 'UpgradeStandby' }
        @{ Step = 'InstallEtcdSync' }
    ) {
        $f = New-DrFixture "kill-$Step" -SyncMs 3000
        # The stand-in upgrade.sh writes one line per run (its arguments): what the vendor's script was asked to do.
        foreach ($cluster in 'primary', 'standby') { Add-Content (Join-Path $f.Work "package-$cluster/fake.conf") "GU_FAKE_ARGS_LOG=$($f.Work)/args-$cluster.log" }
        try {
            # Start the runbook, wait until the journal says the step is running, kill the process tree.
            $pwsh = Get-TestPwsh
            $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', (Get-RunbookScript $f))) { $info.ArgumentList.Add($a) }
            $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true; $info.UseShellExecute = $false
            $child = [Diagnostics.Process]::Start($info)
            $deadline = (Get-Date).AddSeconds(120)
            do {
                Start-Sleep -Milliseconds 100
                $running = (Test-Path $f.Journal) -and ((Get-Content $f.Journal -Raw -ErrorAction Ignore | ConvertFrom-Json -ErrorAction Ignore).steps | Where-Object { $_.name -eq $Step -and $_.state -eq 'Running' })
            } until ($running -or $child.HasExited -or (Get-Date) -gt $deadline)
            $child.HasExited | Should -BeFalse -Because "the runbook was to be killed while $Step ran"
            $child.Kill($true)
            $child.WaitForExit()

            $resumed = Invoke-Runbook $f -Resume
            $resumed.ExitCode | Should -Be 0 -Because $resumed.Error
            Get-FinalState $f.Simulator | Should -Be $reference
            $changes = @(Get-ChangeRequests $f.Simulator)
            $changes | Group-Object | Where-Object Count -gt 1 | ForEach-Object Name | Should -BeNullOrEmpty -Because 'no change is issued twice'
            ($changes | Where-Object { $_ -match 'DELETE' }) | Should -HaveCount 1
            ($changes | Where-Object { $_ -match 'POST' }) | Should -HaveCount 1
            foreach ($cluster in 'primary', 'standby') {
                $runs = @(Get-Content "$($f.Work)/args-$cluster.log")
                @($runs | Where-Object { $_ -match '--skip-sync-image' }) | Should -HaveCount 1 -Because "the $cluster's upgrade was triggered once (runs: $($runs -join ' | '))"
                @($runs | Where-Object { $_ -match '--only-sync-image' }) | Should -HaveCount 1 -Because "the $cluster's images were synced once (runs: $($runs -join ' | '))"
            }
            $imageSyncs = @(Get-ChildItem (Join-Path $f.State 'runs') -Filter *.json | ForEach-Object { Get-Content $_.FullName -Raw | ConvertFrom-Json } | Where-Object { $_.PSObject.Properties['PackagePath'] })
            ($imageSyncs | Group-Object Cluster | Where-Object Count -gt 1) | Should -BeNullOrEmpty -Because 'an image sync is re-attached, not started again'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'refuses a damaged journal instead of starting again' -ForEach @(@{ Damage = 'truncated' }, @{ Damage = 'garbage' }) {
        $f = New-DrFixture "damaged-$Damage"
        try {
            (Invoke-Runbook $f -Extra '-PauseBefore Preflight').ExitCode | Out-Null
            Set-Content $f.Journal -Value $(if ($Damage -eq 'truncated') { '{"format":1,"runbook":"GlobalDrUpgrade","steps":[{"na' } else { 'not json at all' })
            $run = Invoke-Runbook $f -Resume
            $run.ExitCode | Should -Not -Be 0
            $run.Error | Should -Match 'JournalCorrupt|is damaged'
            (Get-ChangeRequests $f.Simulator) | Should -BeNullOrEmpty -Because 'nothing ran'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'never upgrades the primary before the standby, even when the journal says so' {
        $f = New-DrFixture 'order'
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
            $env:GLOBALUPGRADE_STATE_HOME = $f.State
            $common = @{ PackagePath = "$($f.Work)/package-primary"; StandbyPackagePath = "$($f.Work)/package-standby"; TargetVersion = 'v4.2.0'; StandbyVip = '192.168.131.10'; EtcdSync = @{ ActiveClusterVip = '192.168.130.10'; SkipEndpointCheck = $true }; JournalPath = $f.Journal }
            # Run nothing, then forge a journal in which every step up to the primary's upgrade "succeeded".
            { Invoke-GlobalDrUpgrade @common -PauseBefore Preflight -Confirm:$false } | Should -Throw
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            foreach ($s in $journal.steps | Select-Object -First 5) { $s.state = 'Succeeded' }
            $journal | ConvertTo-Json -Depth 20 | Set-Content $f.Journal
            $err = { Invoke-GlobalDrUpgrade @common -Resume } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'RunbookStepFailed,*'
            $err.Exception.Message | Should -Match 'StandbyNotUpgraded|only after the standby'
            (Get-ChangeRequests $f.Simulator) | Where-Object { $_ -match '^primary PATCH' } | Should -BeNullOrEmpty
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
            Stop-TestSimulator $f.Simulator
        }
    }

    It 'fails in Preflight, before anything changes, when -EtcdSync <Case>' -ForEach @(
        @{ Case = 'lacks ActiveClusterVip'; EtcdSync = @{ SkipEndpointCheck = $true }; Id = 'EtcdSyncOptionsMissing'; Names = 'ActiveClusterVip' }
        @{ Case = 'has a URL as ActiveClusterVip'; EtcdSync = @{ ActiveClusterVip = 'https://192.168.130.10' }; Id = 'HostInvalid'; Names = 'https://192.168.130.10' }
        @{ Case = 'has a blank ActiveClusterVip'; EtcdSync = @{ ActiveClusterVip = '  '; SkipEndpointCheck = $true }; Id = 'HostInvalid'; Names = 'ActiveClusterVip' }
    ) {
        $f = New-DrFixture "novip-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
            $env:GLOBALUPGRADE_STATE_HOME = $f.State
            $err = { Invoke-GlobalDrUpgrade -PackagePath "$($f.Work)/package-primary" -StandbyPackagePath "$($f.Work)/package-standby" -TargetVersion v4.2.0 -StandbyVip 192.168.131.10 -EtcdSync $EtcdSync -JournalPath $f.Journal -Confirm:$false } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'RunbookStepFailed,*'
            $err.Exception.Message | Should -Match "Preflight.*\[$Id\]"
            $err.Exception.Message | Should -Match ([regex]::Escape($Names))
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            $journal.steps[0].name | Should -Be 'Preflight'
            $journal.steps[0].state | Should -Be 'Failed'
            @($journal.steps | Select-Object -Skip 1 | Where-Object state -NE 'Pending') | Should -BeNullOrEmpty -Because 'no later step ran'
            (Get-ChangeRequests $f.Simulator) | Should -BeNullOrEmpty -Because 'nothing changed on either cluster'
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
            Stop-TestSimulator $f.Simulator
        }
    }

    It 'syncs each cluster''s images to its own registry (-Registry, -StandbyRegistry)' {
        $f = New-DrFixture 'registries'
        try {
            $extra = "-Registry primary.example:5000 -RegistryCredential ([pscredential]::new('pu', (ConvertTo-SecureString 'p-secret' -AsPlainText -Force))) " +
                "-StandbyRegistry standby.example:5000 -StandbyRegistryCredential ([pscredential]::new('su', (ConvertTo-SecureString 's-secret' -AsPlainText -Force))) -PauseBefore UninstallEtcdSync"
            $run = Invoke-Runbook $f -Extra $extra
            $syncs = @(Get-ChildItem (Join-Path $f.State 'runs') -Filter *.json | ForEach-Object { Get-Content $_.FullName -Raw | ConvertFrom-Json } | Where-Object { $_.PSObject.Properties['PackagePath'] })
            $syncs | Should -HaveCount 2 -Because "$($run.Output) $($run.Error)"
            ($syncs | Where-Object Cluster -eq 'primary').Registry | Should -Be 'primary.example:5000'
            ($syncs | Where-Object Cluster -eq 'standby').Registry | Should -Be 'standby.example:5000'
            Get-Content ($syncs | Where-Object Cluster -eq 'standby').LogPath -Raw | Should -Match 'logging in to standby\.example:5000 as su'
            Get-Content ($syncs | Where-Object Cluster -eq 'primary').LogPath -Raw | Should -Match 'logging in to primary\.example:5000 as pu'
            Get-Content $f.Journal -Raw | Should -Not -Match 'p-secret|s-secret' -Because 'no password reaches the journal'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'shows the plan under -WhatIf and changes nothing' {
        $f = New-DrFixture 'whatif'
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
            $before = @('primary', 'standby' | ForEach-Object { Get-SimStore $f.Simulator $_ })
            $plan = Invoke-GlobalDrUpgrade -PackagePath "$($f.Work)/package-primary" -TargetVersion v4.2.0 -JournalPath $f.Journal -WhatIf
            $plan.PathSupported | Should -BeTrue
            $plan.PrestagedWindow | Should -BeLessThan $plan.SequentialWindow
            @('primary', 'standby' | ForEach-Object { Get-SimStore $f.Simulator $_ }) | Should -Be $before
            Test-Path $f.Journal | Should -BeFalse
        }
        finally { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $f.Simulator }
    }
}

Describe 'Invoke-GlobalDrUpgrade: gates as the docs ask for them' -Tag CI {
    BeforeAll {
        # Preflight alone (it is read-only), from the journal it leaves.
        function Invoke-RunbookPreflight($Fixture, [string] $Target, [string] $Extra = '', [switch] $NoStandbyVip) {
            $script = Get-RunbookScript -Fixture $Fixture -Target $Target -Extra "-PauseBefore ImageSync $Extra"
            if ($NoStandbyVip) { $script = $script -replace '-StandbyVip \S+ ', '' }
            $run = Invoke-ChildPwsh -Script $script
            $preflight = (Get-Content $Fixture.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'Preflight'
            [pscustomobject]@{ Run = $run; Step = $preflight; Checks = @($preflight.outputs.checks) }
        }
    }

    It 'before 4.3 the standby''s alternativeURLs are checked against -StandbyVip: without it NOT CHECKED, and the run stops' {
        $f = New-TestDrPair -Root $TestDrive -Name 'altvip' -Scenario healthy -Target v4.2.0 -SyncMs 200 -Images 3
        try {
            $p = Invoke-RunbookPreflight $f 'v4.2.0' -NoStandbyVip
            $p.Step.state | Should -Be 'Failed' -Because "$($p.Run.Output) $($p.Run.Error)"
            $alt = @($p.Checks | Where-Object check -eq 'StandbyAlternativeUrl')
            $alt | Should -HaveCount 1
            $alt[0].state | Should -Be 'NotChecked' -Because 'a VIP read from the list would always be found in it'
            $alt[0].message | Should -Match '-StandbyVip'
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'to 4.3 the alternativeURLs entry is required only with -StandbyWebConsole' -ForEach @(
        @{ WebConsole = $false; State = 'NotChecked'; Step = 'Succeeded' }
        @{ WebConsole = $true; State = 'Failed'; Step = 'Failed' }
    ) {
        $f = New-TestDrPair -Root $TestDrive -Name "alt43-$WebConsole" -Scenario 'v4.2-to-4.3' -Target v4.3.0 -SyncMs 200 -Images 3
        try {
            Push-SimPlugin -Simulator $f.Simulator -Cluster standby -Version v4.3.0 | Out-Null
            # The standby's ProductBase without the entry.
            $base = (Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/store') | Where-Object kind -eq 'ProductBase'
            $base.spec.PSObject.Properties.Remove('alternativeURLs')
            Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/objects' -Method POST -Body @($base) | Out-Null
            $p = Invoke-RunbookPreflight $f 'v4.3.0' $(if ($WebConsole) { '-StandbyWebConsole' })
            $p.Step.state | Should -Be $Step -Because "$($p.Run.Output) $($p.Run.Error)"
            $alt = @($p.Checks | Where-Object check -eq 'StandbyAlternativeUrl')
            $alt[0].state | Should -Be $State
            $alt[0].passed | Should -BeFalse
            if (-not $WebConsole) { $alt[0].message | Should -Match 'only if you will use the Web Console on the standby' }
        }
        finally { Stop-TestSimulator $f.Simulator }
    }

    It 'stops on an unsettled plugin (stricter than the docs), and goes on once it is waived by name, recorded' {
        $f = New-TestDrPair -Root $TestDrive -Name 'plugins' -Scenario healthy -Target v4.2.0 -SyncMs 200 -Images 3
        try {
            Invoke-SimAdmin -Simulator $f.Simulator -Cluster standby -Path '/_sim/objects' -Method POST -Body @(@{
                    apiVersion = 'cluster.alauda.io/v1alpha1'; kind = 'ModuleInfo'
                    metadata   = @{ name = 'business-1-broken'; labels = @{ 'cpaas.io/cluster-name' = 'business-1' } }
                    spec       = @{ version = 'v1.0.0' }
                    status     = @{ phase = 'Failed' }
                }) | Out-Null
            $p = Invoke-RunbookPreflight $f 'v4.2.0'
            $p.Step.state | Should -Be 'Failed'
            ($p.Checks | Where-Object { $_.check -eq 'PluginsSettled' -and $_.target -eq 'standby' }).state | Should -Be 'Failed'
            "$($p.Run.Output) $($p.Run.Error)" | Should -Match 'PluginsSettled on standby'

            $resumed = Invoke-Runbook -Fixture $f -Resume -Extra '-PauseBefore ImageSync -SkipReadinessCheck PluginsSettled'
            $preflight = (Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'Preflight'
            $preflight.state | Should -Be 'Succeeded' -Because "$($resumed.Output) $($resumed.Error)"
            $waived = $preflight.outputs.checks | Where-Object { $_.check -eq 'PluginsSettled' -and $_.target -eq 'standby' }
            $waived.state | Should -Be 'Failed'
            $waived.waived | Should -BeTrue
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

Describe 'Invoke-GlobalUpgrade' -Tag CI {
    It 'runs the standard upgrade as -WhatIf planned it' {
        $f = New-DrFixture 'standard'
        try {
            Connect-GlobalCluster -Kubeconfig $f.Simulator.Kubeconfig -Context primary -Role Standalone -Name global | Out-Null
            $env:GLOBALUPGRADE_STATE_HOME = $f.State
            $runRoot = Join-Path $f.Work 'runs'
            $common = @{ Cluster = 'global'; PackagePath = "$($f.Work)/package-primary"; TargetVersion = 'v4.2.0'; JournalPath = $f.Journal; RunRoot = $runRoot }
            $plan = Invoke-GlobalUpgrade @common -WhatIf
            $plan.Kind | Should -Be 'Standard'
            $steps = @(Invoke-GlobalUpgrade @common -Confirm:$false)
            $steps.State | Where-Object { $_ -notin 'Succeeded', 'Skipped' } | Should -BeNullOrEmpty
            @($steps | ForEach-Object { "$($_.Name) $($_.Cluster)" }) | Should -Be @($plan.Steps | ForEach-Object { "$($_.Name) $($_.Cluster)" }) -Because 'the plan and the run are one list'
            $steps.Name | Should -Be @('Preflight', 'ImageSync', 'Upgrade', 'PostChecks')

            # -RunRoot: the image sync ran in a run folder under it, and it is one of the journal's inputs.
            $sync = @(Get-GlobalImageSync)
            $sync.Count | Should -Be 1
            $sync[0].RunFolder | Should -BeLike "$runRoot/*"
            Test-Path -LiteralPath (Join-Path $sync[0].RunFolder 'exit') | Should -BeTrue
            $common.Remove('RunRoot')
            $err = { Invoke-GlobalUpgrade @common -Resume -Confirm:$false } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'JournalInputsChanged,*'
            $err.Exception.Message | Should -BeLike "*runRoot: '$runRoot' → ''*"
        }
        finally {
            Get-GlobalCluster | Disconnect-GlobalCluster
            Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
            Stop-TestSimulator $f.Simulator
        }
    }
}

Describe 'Runbook inputs' -Tag CI {
    BeforeAll {
        $script:inputs = New-DrFixture 'inputs'
        Connect-GlobalCluster -Kubeconfig $inputs.Simulator.Kubeconfig -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Kubeconfig $inputs.Simulator.Kubeconfig -Context standby -Role Standby | Out-Null
        $script:dr = @{ PackagePath = "$($inputs.Work)/package-primary"; TargetVersion = 'v4.2.0'; JournalPath = $inputs.Journal; WhatIf = $true }
    }
    AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $inputs.Simulator }

    It 'refuses -SkipCheckArtifacts for a target before 4.3 (its upgrade.sh does not document it), before any journal' {
        $err = { Invoke-GlobalDrUpgrade @dr -SkipCheckArtifacts -EtcdSync @{ ActiveClusterVip = '10.0.0.10' } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'UpgradeScriptFlagUnsupported,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'v4\.2\.0'
        Test-Path $inputs.Journal | Should -BeFalse
    }

    It 'refuses -EtcdSync <Case> with <Id>, naming the key' -ForEach @(
        @{ Case = 'with an unknown key'; EtcdSync = @{ Bogus = 1 }; Id = 'EtcdSyncOptionUnknown'; Names = 'Bogus' }
        @{ Case = "SkipEndpointCheck = 'no'"; EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; SkipEndpointCheck = 'no' }; Id = 'EtcdSyncOptionInvalid'; Names = 'SkipEndpointCheck' }
        @{ Case = 'a host:port endpoint'; EtcdSync = @{ ActiveEtcdEndpoint = '10.0.0.10:2379' }; Id = 'EtcdSyncOptionInvalid'; Names = 'ActiveEtcdEndpoint' }
        @{ Case = 'a fractional interval'; EtcdSync = @{ DataCheckInterval = 1.5 }; Id = 'EtcdSyncOptionInvalid'; Names = 'DataCheckInterval' }
        @{ Case = 'a text interval'; EtcdSync = @{ DataCheckInterval = 'often' }; Id = 'EtcdSyncOptionInvalid'; Names = 'DataCheckInterval' }
    ) {
        $err = { Invoke-GlobalDrUpgrade @dr -EtcdSync $EtcdSync } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly "$Id,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match $Names
        Test-Path $inputs.Journal | Should -BeFalse
    }

    It 'takes typed -EtcdSync values: <Case>' -ForEach @(
        @{ Case = 'a hashtable'; EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; ActiveEtcdEndpoint = 'https://10.0.0.10:2379', 'https://10.0.0.11:2379'; DataCheckInterval = '30'; SkipEndpointCheck = $true; Config = @{ logLevel = 'debug' } } }
        @{ Case = 'an EtcdSyncOptions'; EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; SkipEndpointCheck = $true }; Typed = $true }
    ) {
        if ($Typed) { $EtcdSync = [GlobalUpgrade.EtcdSyncOptions]$EtcdSync }
        $plan = Invoke-GlobalDrUpgrade @dr -EtcdSync $EtcdSync
        ($plan.Steps | Where-Object Name -eq 'CheckEtcdPorts').Reason | Should -Match 'SkipEndpointCheck'
    }

    It 'refuses -Estimate <Case> with InvalidEstimate' -ForEach @(
        @{ Case = 'of an unknown step'; Estimate = @{ Coffee = 5 } }
        @{ Case = 'that is not a duration'; Estimate = @{ ImageSync = 'soon' } }
    ) {
        $err = { Invoke-GlobalDrUpgrade @dr -Estimate $Estimate } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'InvalidEstimate,GlobalUpgrade.Commands.Runbook.InvokeGlobalDrUpgradeCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'offers the runbook step names to -PauseBefore and refuses others' {
        $err = { Invoke-GlobalDrUpgrade @dr -PauseBefore Coffee } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match 'UpgradePrimary'
        $completions = [System.Management.Automation.CommandCompletion]::CompleteInput('Invoke-GlobalDrUpgrade -PauseBefore Upgrade', 43, $null).CompletionMatches.CompletionText
        $completions | Should -Be @('UpgradeStandby', 'UpgradePrimary', 'Upgrade')
    }
}

Describe 'CheckEtcdPorts from the standby''s node' -Tag CI {
    BeforeAll {
        # The nodes: a real sshd on loopback for both clusters' control planes (its files are their PKI); a real etcd
        # with TLS and client-certificate auth; the simulator's HTTPS port as a TLS server that is not etcd.
        Import-Module (Join-Path $PSScriptRoot 'EtcdTestServer.psm1') -Force
        $script:pki = New-EtcdTestPki -Path (Join-Path $TestDrive 'pki')
        $script:etcd = Start-EtcdTestServer -Name 'runbook-ports' -Pki $pki
        $script:ssh = Start-TestSshd -Directory (Join-Path $TestDrive 'sshd')
    }
    AfterAll {
        if ($etcd) { Stop-EtcdTestServer $etcd }
        Stop-TestSshd $ssh
    }

    It 'fails on a TLS server that is not the active etcd, then succeeds on -Resume against the real TLS etcd, probing from the standby''s node' {
        $f = New-DrFixture 'etcd-ports'
        try {
            $node = $ssh.Node
            function Get-Script([string] $ActiveEndpoint, [switch] $Resume) {
                $etcdSync = "@{ ActiveClusterVip = '192.168.130.10'; ActiveEtcdEndpoint = '$ActiveEndpoint'; StandbyEtcdEndpoint = '$($etcd.TlsEndpoint)'; " +
                    "EtcdCaPath = '$($pki.CaPath)'; EtcdCertificatePath = '$($pki.ClientCertificatePath)'; EtcdKeyPath = '$($pki.ClientKeyPath)' }"
                $nodes = "-ComputerName 127.0.0.1 -StandbyComputerName 127.0.0.1 -Port $($node.Port) -UserName '$($node.UserName)' -KeyFilePath '$($node.KeyFilePath)' -KnownHostsPath '$($node.KnownHostsPath)'"
                Get-RunbookScript -Fixture $f -Resume:$Resume -EtcdSync $etcdSync -Extra $nodes
            }
            function Get-PortChecks { ((Get-Content $f.Journal -Raw | ConvertFrom-Json).steps | Where-Object name -eq 'CheckEtcdPorts').outputs.checks }

            $notEtcd = $f.Simulator.Clusters['primary'].Server
            $wrong = Invoke-ChildPwsh -Script (Get-Script $notEtcd)
            $wrong.ExitCode | Should -Not -Be 0 -Because 'a TLS server that is not the active etcd must stop the runbook'
            $wrong.Error | Should -Match "CheckEtcdPorts.*A TLS server answers on 127\.0\.0\.1:\d+ from the standby's node 127\.0\.0\.1:$($node.Port), but it is not the active cluster's etcd"
            $journal = Get-Content $f.Journal -Raw | ConvertFrom-Json
            ($journal.steps | Where-Object name -eq 'CheckEtcdPorts').state | Should -Be 'Failed'
            ($journal.steps | Where-Object name -eq 'InstallEtcdSync').state | Should -Be 'Pending'
            $checks = @(Get-PortChecks)
            ($checks | Where-Object target -like 'active etcd *').state | Should -Be 'Failed'
            ($checks | Where-Object target -like 'standby etcd *').state | Should -Be 'Passed' -Because ($checks | Where-Object target -like 'standby etcd *').message

            $right = Invoke-ChildPwsh -Script (Get-Script $etcd.TlsEndpoint -Resume)
            $right.ExitCode | Should -Be 0 -Because $right.Error
            $steps = @($right.Output -split "`n" | Where-Object { $_ -like 'STEP *' })
            $steps | Where-Object { $_ -like 'STEP CheckEtcdPorts * Succeeded' } | Should -Not -BeNullOrEmpty
            $steps | Where-Object { $_ -notmatch ' (Succeeded|Skipped)$' } | Should -BeNullOrEmpty
            foreach ($check in Get-PortChecks) {
                $check.state | Should -Be 'Passed' -Because $check.message
                $check.message | Should -Match "answers on 127\.0\.0\.1:\d+ from the standby's node 127\.0\.0\.1:$($node.Port): etcd 3\."
                $check.message | Should -Match ([regex]::Escape("issued by $($pki.CaPath) on 127.0.0.1:$($node.Port)"))
            }
        }
        finally { Stop-TestSimulator $f.Simulator }
    }
}

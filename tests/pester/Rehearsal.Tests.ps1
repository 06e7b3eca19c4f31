# Invoke-GlobalUpgradeRehearsal: export a simulated pair (or one cluster), rehearse its upgrade on the simulator
# seeded from the snapshot, and check the steps, the findings-first report, that no secret leaks into it, and that
# nothing but the rehearsal's own simulator is ever contacted.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    $script:handWritten = Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/snapshot/handwritten-pair.json'
    $script:drOrder = 'Preflight', 'ImageSync', 'ImageSync', 'UninstallEtcdSync', 'UpgradeStandby', 'UpgradePrimary', 'CheckEtcdPorts', 'InstallEtcdSync', 'VerifySync', 'PostChecks'

    # The servers a rehearsal's verbose trace contacted ("[name] GET https://host:port/...").
    function script:Get-TracedServers([string[]] $Verbose) {
        @($Verbose | ForEach-Object { [regex]::Matches($_, '\] (GET|POST|PUT|PATCH|DELETE) (?<uri>https?://[^/\s]+)') } | ForEach-Object { $_.Groups['uri'].Value }) | Sort-Object -Unique
    }

    function script:Get-ReportSections([string] $Path) {
        @([regex]::Matches((Get-Content $Path -Raw), '<h2>(?<title>[^<]+)</h2>') | ForEach-Object { $_.Groups['title'].Value })
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'Invoke-GlobalUpgradeRehearsal' -Tag CI {
    Context 'a DR pair, exported then rehearsed' {
        BeforeAll {
            $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.2
            Connect-SimPair $sim
            # A token-looking annotation and a secret value on the source: neither may reach the report.
            $script:planted = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZWhlYXJzYWwifQ.c2lnbmF0dXJlMQ'
            $machine = (Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/platform.tkestack.io/v1/machines').items[0]
            $machine.metadata | Add-Member -Force annotations ([pscustomobject]@{ 'example.com/auth' = "Bearer $planted" })
            $null = Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/_sim/objects' -Method POST -Body $machine
            $script:snapshot = Export-GlobalClusterSnapshot -Path (Join-Path $TestDrive 'pair.json')
            $script:before = Get-GlobalCluster | ForEach-Object { "$($_.Name) $($_.Role) $($_.Server)" }

            # A kubeconfig pointing at a server that records every connection: the rehearsal must never reach it.
            $script:listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
            $script:dead = Join-Path $TestDrive 'dead.kubeconfig'
            Set-Content $dead @"
apiVersion: v1
kind: Config
clusters:
- name: primary
  cluster:
    server: https://127.0.0.1:$($listener.LocalEndpoint.Port)
    insecure-skip-tls-verify: true
users:
- name: primary
  user:
    token: dead-token
contexts:
- name: primary
  context:
    cluster: primary
    user: primary
- name: standby
  context:
    cluster: primary
    user: primary
current-context: primary
"@
            $script:savedKubeconfig = $env:KUBECONFIG
            $env:KUBECONFIG = $dead
            # The operator's run records: the rehearsal keeps its own, so this folder must stay empty.
            $script:savedStateHome = $env:GLOBALUPGRADE_STATE_HOME
            $script:operatorState = (New-Item -ItemType Directory (Join-Path $TestDrive 'operator-state')).FullName
            $env:GLOBALUPGRADE_STATE_HOME = $operatorState
            try {
                $script:rehearsal = Invoke-GlobalUpgradeRehearsal -SnapshotPath $snapshot.Path -TargetVersion v4.2.0 -OutputPath (Join-Path $TestDrive 'dr') `
                    -StandbyVip 192.168.131.10 -EtcdSync @{ ActiveClusterVip = '192.168.130.10' } -Verbose 4>&1 | Tee-Object -Variable script:all | Where-Object { $_ -is [GlobalUpgrade.GlobalUpgradeRehearsal] }
            }
            finally {
                $script:stateHomeAfter = $env:GLOBALUPGRADE_STATE_HOME
                $env:KUBECONFIG = $savedKubeconfig
                $env:GLOBALUPGRADE_STATE_HOME = $savedStateHome
            }
            $script:verbose = @($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
        AfterAll { $listener.Stop(); Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $sim }

        It 'runs the whole DR runbook on the simulator, in the documented order' {
            $rehearsal.Runbook | Should -Be 'Invoke-GlobalDrUpgrade'
            $rehearsal.Steps.Name | Should -Be $drOrder
            $rehearsal.Steps | Where-Object State -NotIn 'Succeeded', 'Skipped' | Should -BeNullOrEmpty
            $rehearsal.Completed | Should -BeTrue
            $rehearsal.Readiness | Should -Not -BeNullOrEmpty
        }

        It 'writes a report whose first section is the findings, with the snapshot''s and the assumptions' {
            Test-Path $rehearsal.ReportPath | Should -BeTrue
            (Get-ReportSections $rehearsal.ReportPath)[0] | Should -Be 'Findings'
            $codes = $rehearsal.Findings.Code
            $codes | Should -Contain 'PluginVersionMissingForTarget' -Because 'the healthy pair publishes the plugin for v4.1.0 only'
            $codes | Should -Contain 'StandInPackage'
            $codes | Should -Not -Contain 'AssumedActiveClusterVip' -Because 'the VIP was given'
            $report = Get-Content $rehearsal.ReportPath -Raw
            foreach ($f in $rehearsal.Findings) { $report | Should -Match ([regex]::Escape([Security.SecurityElement]::Escape($f.Code))) }
            $failedChecks = @($rehearsal.Readiness | Where-Object State -NE 'Passed')
            @($rehearsal.Findings | Where-Object Source -EQ 'Readiness').Count | Should -Be $failedChecks.Count
        }

        It 'shows the rehearsal and its findings through their views: whole codes, every word of a message whole' {
            ($rehearsal | Out-String -Width 120) | Should -Match 'Completed\s+: True'
            $text = $rehearsal.Findings | Out-String -Width 120
            foreach ($f in $rehearsal.Findings) {
                $text | Should -Match ([regex]::Escape($f.Code))
                foreach ($word in $f.Message -split '\s+' | Where-Object { $_.Length -in 1..50 }) { $text | Should -Match ([regex]::Escape($word)) }
            }
        }

        It 'leaks no secret into the report, the journal or the findings' {
            $texts = (Get-Content $rehearsal.ReportPath -Raw), (Get-Content $rehearsal.JournalPath -Raw), ($rehearsal.Findings | Out-String)
            $secrets = @($planted) + @($sim.Clusters.Values | ForEach-Object Token) + @((Read-SimKubeconfig (Join-Path $TestDrive 'dr/rehearsal.kubeconfig')).Values | ForEach-Object Token)
            foreach ($text in $texts) { foreach ($s in $secrets) { $text | Should -Not -Match ([regex]::Escape($s)) } }
        }

        It 'contacts only its own simulator: not the source pair, not $env:KUBECONFIG, and leaves the session''s connections as they were' {
            $own = @((Read-SimKubeconfig (Join-Path $TestDrive 'dr/rehearsal.kubeconfig')).Values | ForEach-Object { ([uri]$_.Server).GetLeftPart('Authority') })
            $traced = Get-TracedServers $verbose
            $traced | Should -Not -BeNullOrEmpty -Because 'the verbose trace lists every request'
            foreach ($server in $traced) { $own | Should -Contain $server }
            foreach ($c in $sim.Clusters.Values) { $traced | Should -Not -Contain ([uri]$c.Server).GetLeftPart('Authority') }
            $listener.Pending() | Should -BeFalse -Because 'the kubeconfig in $env:KUBECONFIG points at a server nobody may reach'
            (Get-GlobalCluster | ForEach-Object { "$($_.Name) $($_.Role) $($_.Server)" }) | Should -Be $before
        }

        It 'keeps its run records in its own folder, never in the operator''s state folder' {
            $stateHomeAfter | Should -BeExactly $operatorState -Because 'the session''s setting is restored'
            Get-ChildItem $operatorState -Recurse -File | Should -BeNullOrEmpty
            Get-ChildItem (Join-Path $TestDrive 'dr/state') -Recurse -File -Filter *.json | Should -Not -BeNullOrEmpty -Because 'the rehearsal recorded its image syncs and upgrade runs there'
        }

        It 'runs the stand-in upgrade.sh in run folders of its own folder (no root needed), not the nodes'' default' {
            $runs = Join-Path $TestDrive 'dr/runs'
            $records = @(Get-ChildItem (Join-Path $TestDrive 'dr/state') -Recurse -File -Filter *.json | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json })
            $folders = @($records | ForEach-Object { if ($_.PSObject.Properties['TriggerRunFolder']) { $_.TriggerRunFolder } else { $_.RunFolder } } | Where-Object { $_ })
            $folders.Count | Should -Be $records.Count -Because 'every image sync and upgrade trigger ran in a run folder'
            foreach ($folder in $folders) {
                $folder | Should -BeLike "$runs/*"
                Test-Path -LiteralPath (Join-Path $folder 'exit') | Should -BeTrue -Because "the run in $folder ended there"
            }
        }
    }

    Context 'one cluster, exported then rehearsed' {
        It 'runs Invoke-GlobalUpgrade to the target, its journal and report in the current folder when no -OutputPath is given' {
            $sim = Start-TestSimulator -Scenario healthy -TimeScale 0.2
            $here = New-Item -ItemType Directory (Join-Path $TestDrive 'operator-folder')
            Push-Location $here
            try {
                Get-GlobalCluster | Disconnect-GlobalCluster
                $null = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone
                $snapshot = Export-GlobalClusterSnapshot -Path (Join-Path $TestDrive 'one.json')
                $r = Invoke-GlobalUpgradeRehearsal -SnapshotPath $snapshot.Path -TargetVersion v4.2.0
                $r.Runbook | Should -Be 'Invoke-GlobalUpgrade'
                $r.Steps | Should -Not -BeNullOrEmpty
                $r.Completed | Should -BeTrue -Because ($r.Findings | Out-String)
                (Get-ReportSections $r.ReportPath)[0] | Should -Be 'Findings'
                $r.Findings.Code | Should -Not -Contain 'AssumedActiveClusterVip'
                # What the operator reads afterwards is where they stand; the working files are not.
                (Split-Path $r.JournalPath) | Should -Be $here.FullName
                (Split-Path $r.ReportPath) | Should -Be $here.FullName
                @(Get-ChildItem $here -Name | Sort-Object) | Should -Be @((Split-Path $r.JournalPath -Leaf), (Split-Path $r.ReportPath -Leaf) | Sort-Object)
                (Get-Content $r.JournalPath -Raw | ConvertFrom-Json).steps.name | Should -Contain 'PostChecks'
            }
            finally { Pop-Location; Get-GlobalCluster | Disconnect-GlobalCluster; Stop-TestSimulator $sim }
        }
    }

    Context 'a hand-written pair unlike our scenarios (other labels, nested form paths, the CVSH at upgrade.alauda.io/v1beta1), exported then rehearsed' {
        BeforeAll {
            # The pair as an unseen API server would serve it: the simulator seeded from the hand-written file.
            $script:handSim = Start-TestSimulator -Snapshot $handWritten -TimeScale 0.2
            Get-GlobalCluster | Disconnect-GlobalCluster
            $null = Connect-GlobalCluster -Kubeconfig $handSim.Kubeconfig -Context primary -Role Primary
            $null = Connect-GlobalCluster -Kubeconfig $handSim.Kubeconfig -Context standby -Role Standby
            $script:handExport = Export-GlobalClusterSnapshot -Path (Join-Path $TestDrive 'hand-export.json')
            Get-GlobalCluster | Disconnect-GlobalCluster
            $script:hand = Invoke-GlobalUpgradeRehearsal -SnapshotPath $handExport.Path -TargetVersion v4.3.2 -OutputPath (Join-Path $TestDrive 'hand') -Verbose 4>&1 |
                Tee-Object -Variable script:handAll | Where-Object { $_ -is [GlobalUpgrade.GlobalUpgradeRehearsal] }
            $script:handVerbose = @($handAll | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
        AfterAll { Stop-TestSimulator $handSim }

        It 'exports the ClusterVersionShadow at the group and version discovery found' {
            $doc = Get-Content $handExport.Path -Raw | ConvertFrom-Json -Depth 100
            foreach ($c in $doc.clusters) {
                "$($c.clusterVersionShadow.group)/$($c.clusterVersionShadow.version)" | Should -BeExactly 'upgrade.alauda.io/v1beta1'
                ($c.objects | Where-Object kind -EQ 'ClusterVersionShadow').apiVersion | Should -BeExactly 'upgrade.alauda.io/v1beta1'
            }
        }

        It 'runs the whole DR runbook, the 4.3 upgrade through the ClusterVersionShadow where the pair serves it' {
            $hand.Runbook | Should -Be 'Invoke-GlobalDrUpgrade'
            $hand.Steps.Name | Should -Be $drOrder
            $hand.Completed | Should -BeTrue -Because ($hand.Findings | Where-Object Source -EQ 'Runbook' | Out-String)
            $handVerbose | Where-Object { $_ -match '(PATCH|PUT) https://\S+/apis/upgrade\.alauda\.io/v1beta1/namespaces/cpaas-system/clusterversionshadows/global' } |
                Should -Not -BeNullOrEmpty -Because 'the upgrade is requested on the discovered ClusterVersionShadow'
            $handVerbose | Where-Object { $_ -match '/apis/config\.alauda\.io/v1/' } | Should -BeNullOrEmpty -Because 'the pair does not serve the assumed group'
        }

        It 'asks its own simulator, through the admin API once it is ready, to push the target''s synchronizer on the standby and to offer the target, and says so' {
            $own = @((Read-SimKubeconfig (Join-Path $TestDrive 'hand/rehearsal.kubeconfig')).Values | ForEach-Object { ([uri]$_.Server).GetLeftPart('Authority') })
            $asked = @($handVerbose | ForEach-Object { if ($_ -match '^\[(?<c>\w+)\] POST (?<uri>https://[^/\s]+)(?<path>/_sim/\S+)$') { [pscustomobject]@{ Cluster = $Matches.c; Server = $Matches.uri; Path = $Matches.path } } })
            @($asked | ForEach-Object { "$($_.Cluster) $($_.Path)" } | Sort-Object) | Should -Be @('primary /_sim/offer-target', 'standby /_sim/offer-target', 'standby /_sim/push-plugin')
            foreach ($a in $asked) { $own | Should -Contain $a.Server }
            @($hand.Findings | Where-Object Code -EQ 'TargetNotOffered' | ForEach-Object Cluster | Sort-Object) | Should -Be @('primary', 'standby')
            ($hand.Findings | Where-Object Code -EQ 'TargetSynchronizerPushed').Cluster | Should -Be 'standby'
        }

        It 'reports what the pair lacks and what it assumed, first in its report' {
            $codes = $hand.Findings.Code
            $codes | Should -Contain 'FormLabelsNotFound' -Because 'its synchronizer form names the fields otherwise than the docs'
            $codes | Should -Contain 'AssumedActiveClusterVip' -Because 'no VIP was given'
            $codes | Should -Contain 'SecretValuesStandIn'
            (Get-ReportSections $hand.ReportPath)[0] | Should -Be 'Findings'
        }

        It 'never reaches the servers the snapshot was taken from' {
            $traced = Get-TracedServers $handVerbose
            $traced | Should -Not -BeNullOrEmpty
            foreach ($c in $handSim.Clusters.Values) { $traced | Should -Not -Contain ([uri]$c.Server).GetLeftPart('Authority') }
            $own = @((Read-SimKubeconfig (Join-Path $TestDrive 'hand/rehearsal.kubeconfig')).Values | ForEach-Object { ([uri]$_.Server).GetLeftPart('Authority') })
            foreach ($server in $traced) { $own | Should -Contain $server }
        }
    }

    Context 'bad input' {
        It 'a missing snapshot: RehearsalSnapshotNotFound (ObjectNotFound)' {
            $err = { Invoke-GlobalUpgradeRehearsal -SnapshotPath (Join-Path $TestDrive 'none.json') -TargetVersion v4.2.0 -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'RehearsalSnapshotNotFound,GlobalUpgrade.Commands.Rehearsal.InvokeGlobalUpgradeRehearsalCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match 'none\.json'
        }

        It 'a file that is <What>: RehearsalSnapshotInvalid (InvalidData)' -TestCases @(
            @{ What = 'not JSON'; Text = 'apiVersion: v1'; Says = 'not JSON' }
            @{ What = 'JSON but no snapshot'; Text = '{"kind":"Config","clusters":[]}'; Says = 'not a snapshot' }
            @{ What = 'a snapshot of three clusters'; Text = '{"kind":"GlobalClusterSnapshot","formatVersion":1,"clusters":[{"name":"a","role":"Primary"},{"name":"b","role":"Standby"},{"name":"c","role":"Standby"}]}'; Says = 'a Primary and a Standby' }
        ) {
            $file = Join-Path $TestDrive "bad-$([guid]::NewGuid().ToString('n')).json"
            Set-Content $file $Text
            $err = { Invoke-GlobalUpgradeRehearsal -SnapshotPath $file -TargetVersion v4.2.0 -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'RehearsalSnapshotInvalid,GlobalUpgrade.Commands.Rehearsal.InvokeGlobalUpgradeRehearsalCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -Match $Says
            $err.Exception.Message | Should -Not -Match 'Newtonsoft|System\.'
        }

        It 'a snapshot of a format version this module does not read: SnapshotFormatUnsupported (InvalidData)' {
            $file = Join-Path $TestDrive 'format-2.json'
            Set-Content $file '{"kind":"GlobalClusterSnapshot","formatVersion":2,"clusters":[{"name":"lone","role":"Standalone"}]}'
            $err = { Invoke-GlobalUpgradeRehearsal -SnapshotPath $file -TargetVersion v4.2.0 -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'SnapshotFormatUnsupported,GlobalUpgrade.Commands.Rehearsal.InvokeGlobalUpgradeRehearsalCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.Exception.Message | Should -Match 'has formatVersion 2; this module reads formatVersion 1 only'
        }

        It 'a target that is not a version: InvalidPlatformVersion, before anything starts' {
            $err = { Invoke-GlobalUpgradeRehearsal -SnapshotPath $handWritten -TargetVersion 'latest' -OutputPath (Join-Path $TestDrive 'bad-version') -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'InvalidPlatformVersion,GlobalUpgrade.Commands.Rehearsal.InvokeGlobalUpgradeRehearsalCommand'
            Test-Path (Join-Path $TestDrive 'bad-version') | Should -BeFalse
        }

        It 'says where the simulator was looked for' {
            { Invoke-GlobalUpgradeRehearsal -SnapshotPath $handWritten -TargetVersion v4.2.0 -SimulatorPath (Join-Path $TestDrive 'no-sim.dll') -ErrorAction Stop } |
                Should -Throw -ErrorId 'RehearsalSimulatorNotFound,GlobalUpgrade.Commands.Rehearsal.InvokeGlobalUpgradeRehearsalCommand'
        }

        It '-WhatIf starts no simulator and writes nothing' {
            $folder = Join-Path $TestDrive 'what-if'
            $r = Invoke-GlobalUpgradeRehearsal -SnapshotPath $handWritten -TargetVersion v4.3.2 -OutputPath $folder -WhatIf
            $r | Should -BeNullOrEmpty
            Test-Path $folder | Should -BeFalse
        }
    }
}

# A table of faults, grouped by cmdlet. Each case names its class and asserts it:
#   NoFalseGreen  — a broken or partial answer is never "in sync"/"passed"/"reachable" (the result is failed or an error);
#   StableId      — the failure is an ErrorRecord with a stable id (never UnexpectedError or a raw .NET message);
#   BoundedTime   — a server that hangs or never ends fails within a stated bound.
# Every case also ends within its bound. Faults come from the simulator's admin API (/_sim/faults, /_sim/monitor),
# real etcd servers (EtcdTestServer.psm1) and loopback listeners that accept and never answer.
BeforeDiscovery {
    # Fault rules by the request they hit (path + query, see src/GlobalUpgrade.Simulator/README.md).
    $machines = '^/apis/platform\.tkestack\.io/v1/machines(\?|$)'
    $moduleInfos = '/moduleinfoes(\?|$)'
    $clusterModules = '/clustermodules(\?|$)'
    $productBase = '/productbases/base$'
    $service = '/services/etcd-sync-monitor$'
    $html = '<html><head><title>Sign in</title></head><body>Please log in</body></html>'
    $emptyMachineList = '{"kind":"MachineList","apiVersion":"platform.tkestack.io/v1","metadata":{"resourceVersion":"1"},"items":[]}'

    $script:monitorCases = @(
        # /check bodies that are not the documented shape: never in sync.
        @{ Class = 'NoFalseGreen'; Name = 'a count after the missed heading'; Body = "LOCAL ETCD missed keys: 3`n/registry/configmaps/app1/a`n/registry/configmaps/app1/b`n/registry/configmaps/app1/c`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a count after the missed heading, no keys listed'; Body = "LOCAL ETCD missed keys: 3`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a zero after the surplus heading'; Body = "LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys: 0`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a note after the colon'; Body = "LOCAL ETCD missed keys: (truncated, see log)`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a count in parentheses before the colon'; Body = "LOCAL ETCD missed keys (2):`n/registry/a`n/registry/b`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a lower-case heading'; Body = "local etcd missed keys:`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'headings without LOCAL'; Body = "ETCD missed keys:`nETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a heading with a doubled space'; Body = "LOCAL  ETCD missed keys:`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'the missed heading twice'; Body = "LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys:`nLOCAL ETCD missed keys:`n/registry/a`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a third, unknown section'; Body = "LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys:`nREMOTE ETCD missed keys:`n/registry/a`n" }
        @{ Class = 'NoFalseGreen'; Name = 'a key before any heading'; Body = "/registry/a`nLOCAL ETCD missed keys:`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'two keys on one line'; Body = "LOCAL ETCD missed keys:`n/registry/a /registry/b`nLOCAL ETCD surplus keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'an error line after the sections'; Body = "LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys:`nerror: context deadline exceeded`n" }
        @{ Class = 'NoFalseGreen'; Name = 'the surplus heading missing'; Body = "LOCAL ETCD missed keys:`n" }
        @{ Class = 'NoFalseGreen'; Name = 'an HTML page with 200'; Body = $html; ContentType = 'text/html' }
        @{ Class = 'NoFalseGreen'; Name = 'an empty body with 200'; Body = '' }
        @{ Class = 'NoFalseGreen'; Name = 'a blank body with 200'; Body = "`n  `n" }
        @{ Class = 'NoFalseGreen'; Name = 'a Kubernetes Status with 200'; Body = '{"kind":"Status","status":"Failure","code":503}'; ContentType = 'application/json' }
        @{ Class = 'NoFalseGreen'; Name = 'a report cut off mid-way'; Body = "LOCAL ETCD missed keys:`n/registry/configmaps/app1/a`nLOCAL ETCD surplus keys:`n/registry/x`n"; TruncateBodyAt = 40; ErrorId = 'SyncReportUnreadable|SyncMonitorUnavailable' }
        @{ Class = 'StableId'; Name = 'HTTP 500 from the monitor'; Status = 500; Body = 'internal error'; ErrorId = 'SyncMonitorUnavailable' }
        @{ Class = 'StableId'; Name = 'HTTP 503 from the monitor'; Status = 503; Body = 'no endpoints available'; ErrorId = 'SyncMonitorUnavailable' }
        @{ Class = 'BoundedTime'; Name = 'a monitor that never answers'; HangMs = 20000; ErrorId = 'SyncMonitorTimeout' }
    )

    $script:statusCases = @(
        @{ Class = 'BoundedTime'; Name = 'the API server hangs reading the monitor service'; Rule = @{ pathRegex = $service; latencyMs = 20000 }; ErrorId = 'SyncMonitorTimeout' }
        @{ Class = 'StableId'; Name = 'the monitor service is gone (404)'; Rule = @{ pathRegex = $service; status = 404 }; ErrorId = 'SyncMonitorNotFound' }
        @{ Class = 'StableId'; Name = 'the service read answers HTML with 200'; Rule = @{ pathRegex = $service; status = 200; body = $html; contentType = 'text/html' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'StableId'; Name = 'the service read answers an empty 200'; Rule = @{ pathRegex = $service; status = 200; body = ''; contentType = 'application/json' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'StableId'; Name = 'the service read is reset'; Rule = @{ pathRegex = $service; reset = $true }; ErrorId = 'ServerUnreachable|ApiRequestFailed' }
    )

    # Faults on the lists and reads behind Test-GlobalDrConsistency: the named check must fail (never pass).
    $script:consistencyCases = @(
        @{ Class = 'NoFalseGreen'; Name = 'an empty Machine list on the primary'; Cluster = 'primary'; Rule = @{ pathRegex = $machines; status = 200; body = $emptyMachineList; contentType = 'application/json' }; Check = 'MachinesRunning'; DetailId = 'NoMembersToCheck' }
        @{ Class = 'NoFalseGreen'; Name = 'an empty Machine list on the standby'; Cluster = 'standby'; Rule = @{ pathRegex = $machines; status = 200; body = '{"kind":"MachineList","apiVersion":"platform.tkestack.io/v1","metadata":{},"items":null}'; contentType = 'application/json' }; Check = 'MachinesRunning'; DetailId = 'NoMembersToCheck' }
        @{ Class = 'NoFalseGreen'; Name = 'a {} body for Machines'; Cluster = 'primary'; Rule = @{ pathRegex = $machines; status = 200; body = '{}'; contentType = 'application/json' }; Check = 'MachinesRunning'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'an HTML login page for Machines'; Cluster = 'standby'; Rule = @{ pathRegex = $machines; status = 200; body = $html; contentType = 'text/html' }; Check = 'MachinesRunning'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'an empty 200 body for Machines'; Cluster = 'primary'; Rule = @{ pathRegex = $machines; status = 200; body = '' }; Check = 'MachinesRunning'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'Machines whose items is not a list'; Cluster = 'primary'; Rule = @{ pathRegex = $machines; status = 200; body = '{"kind":"MachineList","items":{}}'; contentType = 'application/json' }; Check = 'MachinesRunning'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'an empty ClusterModule list'; Cluster = 'standby'; Rule = @{ pathRegex = $clusterModules; status = 200; body = '{"kind":"ClusterModuleList","apiVersion":"cluster.alauda.io/v1alpha1","metadata":{},"items":[]}'; contentType = 'application/json' }; Check = 'ComponentsSettled'; DetailId = 'NoMembersToCheck' }
        @{ Class = 'NoFalseGreen'; Name = 'a {} body for ModuleInfos'; Cluster = 'standby'; Rule = @{ pathRegex = $moduleInfos; status = 200; body = '{}'; contentType = 'application/json' }; Check = 'PluginsSettled'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'truncated JSON for ClusterModules'; Cluster = 'primary'; Rule = @{ pathRegex = $clusterModules; status = 200; body = '{"kind":"ClusterModuleList","items":['; contentType = 'application/json' }; Check = 'ComponentsSettled'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'NoFalseGreen'; Name = 'HTTP 500 for Machines'; Cluster = 'standby'; Rule = @{ pathRegex = $machines; status = 500 }; Check = 'MachinesRunning'; DetailId = 'ApiRequestFailed' }
        @{ Class = 'NoFalseGreen'; Name = 'a reset connection for ModuleInfos'; Cluster = 'primary'; Rule = @{ pathRegex = $moduleInfos; reset = $true }; Check = 'PluginsSettled'; DetailId = 'ServerUnreachable|ApiRequestFailed' }
        @{ Class = 'NoFalseGreen'; Name = 'an HTML ProductBase'; Cluster = 'standby'; Rule = @{ pathRegex = $productBase; status = 200; body = $html; contentType = 'text/html' }; Check = 'PlatformVersionsMatch'; DetailId = 'ServerAnswerUnreadable' }
        @{ Class = 'BoundedTime'; Name = 'a Machine list whose continue token never ends'; Cluster = 'primary'; Rule = @{ pathRegex = $machines; continueForever = $true }; Check = 'MachinesRunning'; DetailId = 'ListPagingExceeded' }
        @{ Class = 'BoundedTime'; Name = 'a ModuleInfo list that repeats its continue token'; Cluster = 'standby'; Rule = @{ pathRegex = $moduleInfos; status = 200; body = '{"kind":"List","apiVersion":"v1","metadata":{"continue":"again"},"items":[]}'; contentType = 'application/json' }; Check = 'PluginsSettled'; DetailId = 'ListPagingExceeded' }
        @{ Class = 'NoFalseGreen'; Name = 'the monitor lists 3 missed keys after its heading'; Cluster = 'standby'; Monitor = @{ status = 200; body = "LOCAL ETCD missed keys: 3`n/registry/a`n/registry/b`n/registry/c`nLOCAL ETCD surplus keys:`n" }; Check = 'StandbyInSync'; DetailId = 'SyncReportUnreadable' }
    )

    $script:machineCases = @(
        @{ Class = 'StableId'; Name = 'an HTML page with 200'; Rule = @{ pathRegex = $machines; status = 200; body = $html; contentType = 'text/html' }; ErrorId = 'ServerAnswerUnreadable'; Message = 'text/html' }
        @{ Class = 'StableId'; Name = 'an empty body with 200'; Rule = @{ pathRegex = $machines; status = 200; body = '' }; ErrorId = 'ServerAnswerUnreadable'; Message = 'empty body' }
        @{ Class = 'StableId'; Name = 'a {} body'; Rule = @{ pathRegex = $machines; status = 200; body = '{}'; contentType = 'application/json' }; ErrorId = 'ServerAnswerUnreadable'; Message = 'not a list' }
        @{ Class = 'StableId'; Name = 'JSON cut short'; Rule = @{ pathRegex = $machines; status = 200; body = '{"kind":"MachineList","items":[{"metadata":'; contentType = 'application/json' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'StableId'; Name = 'plain text with 200'; Rule = @{ pathRegex = $machines; status = 200; body = 'upstream connect error or disconnect/reset before headers'; contentType = 'text/plain' }; ErrorId = 'ServerAnswerUnreadable'; Message = 'upstream connect error' }
        @{ Class = 'StableId'; Name = 'HTTP 401'; Rule = @{ pathRegex = $machines; status = 401 }; ErrorId = 'Unauthorized' }
        @{ Class = 'StableId'; Name = 'HTTP 403'; Rule = @{ pathRegex = $machines; status = 403 }; ErrorId = 'Forbidden' }
        @{ Class = 'StableId'; Name = 'HTTP 502 with an HTML page'; Rule = @{ pathRegex = $machines; status = 502; body = '<html>502 Bad Gateway</html>'; contentType = 'text/html' }; ErrorId = 'ApiRequestFailed'; Message = '502' }
        @{ Class = 'StableId'; Name = 'a reset connection'; Rule = @{ pathRegex = $machines; reset = $true }; ErrorId = 'ServerUnreachable' }
        @{ Class = 'StableId'; Name = 'a body cut off mid-way'; Rule = @{ pathRegex = $machines; truncateBodyAt = 30 }; ErrorId = 'ServerUnreachable|ServerAnswerUnreadable' }
        @{ Class = 'BoundedTime'; Name = 'a continue token that never ends'; Rule = @{ pathRegex = $machines; continueForever = $true }; ErrorId = 'ListPagingExceeded'; Message = 'pages' }
        @{ Class = 'BoundedTime'; Name = 'the same continue token again and again'; Rule = @{ pathRegex = $machines; status = 200; body = '{"kind":"MachineList","apiVersion":"platform.tkestack.io/v1","metadata":{"continue":"x"},"items":[]}'; contentType = 'application/json' }; ErrorId = 'ListPagingExceeded'; Message = 'same continue token' }
        @{ Class = 'BoundedTime'; Name = 'a request that outlives -RequestTimeoutSec'; Rule = @{ pathRegex = $machines; latencyMs = 20000 }; ErrorId = 'ServerTimeout'; NotMessage = 'firewall'; RequestTimeoutSec = 2 }
    )

    $script:connectCases = @(
        @{ Class = 'StableId'; Name = 'an empty kubeconfig'; Kubeconfig = ''; ErrorId = 'KubeconfigInvalid'; Message = 'empty' }
        @{ Class = 'StableId'; Name = 'a kubeconfig of blank lines'; Kubeconfig = "`n   `n"; ErrorId = 'KubeconfigInvalid'; Message = 'empty' }
        @{ Class = 'StableId'; Name = 'a kubeconfig that is a YAML scalar'; Kubeconfig = 'hello'; ErrorId = 'KubeconfigInvalid' }
        @{ Class = 'StableId'; Name = 'a kubeconfig context without its context section'; Kubeconfig = "contexts:`n- name: primary`n"; ErrorId = 'KubeconfigInvalid'; Message = 'context' }
        @{ Class = 'StableId'; Name = 'a folder given as the kubeconfig'; Folder = $true; ErrorId = 'KubeconfigInvalid'; Message = 'folder' }
        @{ Class = 'StableId'; Name = '/version answers HTML with 200'; Rule = @{ pathRegex = '^/version'; status = 200; body = $html; contentType = 'text/html' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'StableId'; Name = 'the global Cluster answers an empty 200'; Rule = @{ pathRegex = '/clusters/global$'; status = 200; body = '' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'StableId'; Name = 'ProductBase answers HTML with 200'; Rule = @{ pathRegex = $productBase; status = 200; body = $html; contentType = 'text/html' }; ErrorId = 'ServerAnswerUnreadable' }
        @{ Class = 'BoundedTime'; Name = '/version hangs past -RequestTimeoutSec'; Rule = @{ pathRegex = '^/version'; latencyMs = 20000 }; ErrorId = 'ServerTimeout'; NotMessage = 'firewall' }
        @{ Class = 'BoundedTime'; Name = 'a closed port'; ClosedPort = $true; ErrorId = 'ServerUnreachable' }
    )

    $script:uninstallCases = @(
        @{ Class = 'NoFalseGreen'; Name = 'the monitor counts 3 missed keys after its heading'; Monitor = @{ status = 200; body = "LOCAL ETCD missed keys: 3`n/registry/a`n/registry/b`n/registry/c`nLOCAL ETCD surplus keys:`n" }; Check = 'StandbyInSync' }
        @{ Class = 'NoFalseGreen'; Name = 'the monitor adds a note after the surplus heading'; Monitor = @{ status = 200; body = "LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys: none`n" }; Check = 'StandbyInSync' }
        @{ Class = 'NoFalseGreen'; Name = 'the monitor answers an HTML page'; Monitor = @{ status = 200; body = '<html>login</html>'; contentType = 'text/html' }; Check = 'StandbyInSync' }
        @{ Class = 'NoFalseGreen'; Name = 'the standby lists no Machines'; Rule = @{ pathRegex = $machines; status = 200; body = $emptyMachineList; contentType = 'application/json' }; Check = 'MachinesRunning' }
        # The guard reads the monitor with its own 30 s deadline (SyncMonitorClient.DefaultTimeout), whatever -TimeoutSec says.
        @{ Class = 'BoundedTime'; Name = 'the monitor never answers'; Monitor = @{ hangMs = 120000 }; Check = 'StandbyInSync'; Bound = 45 }
    )

    $script:versionCases = @(
        @{ Class = 'StableId'; Name = 'a patch beyond Int32'; Version = 'v4.2.99999999999' }
        @{ Class = 'StableId'; Name = 'a major beyond Int32'; Version = '99999999999.1' }
        @{ Class = 'StableId'; Name = 'a minor beyond Int32'; Version = 'v4.2147483648' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'EtcdTestServer.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    function Add-Fault($Simulator, [string] $Cluster, [hashtable] $Rule) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster $Cluster -Path '/_sim/faults' -Method POST -Body $Rule | Out-Null
    }

    function Set-Monitor($Simulator, [hashtable] $Override) {
        Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/_sim/monitor' -Method POST -Body $Override | Out-Null
    }

    function Clear-Faults($Simulator) {
        foreach ($cluster in 'primary', 'standby') { Invoke-SimAdmin -Simulator $Simulator -Cluster $cluster -Path '/_sim/faults' -Method DELETE | Out-Null }
        Invoke-SimAdmin -Simulator $Simulator -Cluster standby -Path '/_sim/monitor' -Method DELETE | Out-Null
    }

    # Runs a command with errors made terminating; returns its output, its error and how long it took.
    function Measure-Fault([scriptblock] $Command) {
        $ErrorActionPreference = 'Stop'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $output = @(); $failure = $null
        try { $output = @(& $Command) } catch { $failure = $_ }
        [pscustomobject]@{ Output = $output; Error = $failure; Seconds = $watch.Elapsed.TotalSeconds }
    }

    function Assert-StableId($Result, [string] $ErrorId, [double] $Bound) {
        $Result.Error | Should -Not -BeNullOrEmpty -Because 'the fault must fail the command'
        $Result.Error.FullyQualifiedErrorId | Should -Match "^($ErrorId),GlobalUpgrade\." -Because $Result.Error.Exception.Message
        $Result.Error.Exception.Message | Should -Not -Match 'Object reference|System\.\w+Exception|   at ' -Because 'the message must not be a raw .NET error'
        $Result.Seconds | Should -BeLessThan $Bound
    }

    # A loopback port that completes TCP connections (the kernel's backlog) and never answers.
    function New-SilentPort {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(16)
        $listener
    }
}

AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

Describe 'Faults against a simulated DR pair' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        Connect-SimPair $sim
        $script:healthyMachines = @((Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/platform.tkestack.io/v1/machines').items).Count
    }
    AfterAll { Stop-TestSimulator $sim }
    AfterEach { Clear-Faults $sim }

    It 'the pair passes every check before any fault (the cases below start from green)' {
        Test-GlobalDrConsistency -Quiet | Should -BeTrue
        $healthyMachines | Should -BeGreaterThan 0
    }

    Context 'Get-EtcdSyncStatus: the monitor''s /check answer' {
        It '[<Class>] <Name>' -ForEach $monitorCases {
            $override = @{ status = if ($Status) { $Status } else { 200 } }
            if ($null -ne $Body) { $override.body = $Body }
            if ($ContentType) { $override.contentType = $ContentType }
            if ($HangMs) { $override.hangMs = $HangMs }
            if ($TruncateBodyAt) { $override.truncateBodyAt = $TruncateBodyAt }
            Set-Monitor $sim $override
            $result = Measure-Fault { Get-EtcdSyncStatus -TimeoutSec 2 }
            $result.Output | Should -BeNullOrEmpty -Because 'no status may be reported from an answer that cannot be trusted'
            Assert-StableId $result ($ErrorId ?? 'SyncReportUnreadable') 10
            $result.Error.Exception.Message | Should -Match 'UNKNOWN'
        }
    }

    Context 'Get-EtcdSyncStatus: the API server between us and the monitor' {
        It '[<Class>] <Name>' -ForEach $statusCases {
            Add-Fault $sim standby $Rule
            $result = Measure-Fault { Get-EtcdSyncStatus -TimeoutSec 2 }
            $result.Output | Should -BeNullOrEmpty
            Assert-StableId $result $ErrorId 10
        }
    }

    Context 'Test-GlobalDrConsistency: a failed or partial answer fails its check' {
        It '[<Class>] <Name>: <Check> fails, -Quiet is $false' -ForEach $consistencyCases {
            if ($Rule) { Add-Fault $sim $Cluster $Rule }
            if ($Monitor) { Set-Monitor $sim $Monitor }
            $result = Measure-Fault { Test-GlobalDrConsistency -TimeoutSec 2 }
            $result.Error | Should -BeNullOrEmpty -Because 'Test-* reports a failed check, it does not throw'
            $found = @($result.Output | Where-Object { $_.Check -eq $Check -and ($_.Target -eq $Cluster -or $_.Target -like "*$Cluster*") })
            $found | Should -Not -BeNullOrEmpty
            $found | ForEach-Object { $_.Passed | Should -BeFalse -Because $_.Message }
            $found[0].Message | Should -Match 'NOT CHECKED'
            $found[0].Detail.ErrorId | Should -Match "^($DetailId)$"
            $result.Seconds | Should -BeLessThan 30
            (Measure-Fault { Test-GlobalDrConsistency -TimeoutSec 2 -Quiet }).Output | Should -Be @($false)
        }

        It '[NoFalseGreen] one cluster on both sides (-Primary X -Standby X) is refused' {
            $result = Measure-Fault { Test-GlobalDrConsistency -Primary primary -Standby primary }
            Assert-StableId $result 'DrPairSameCluster' 10
            $result.Error.CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Measure-Fault { Test-GlobalDrConsistency -Primary standby -Standby standby -Quiet }).Output | Should -Not -Contain $true
        }

        It '[NoFalseGreen] two connections to one API server are refused' {
            Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Standalone -Name primary-again | Out-Null
            try {
                Assert-StableId (Measure-Fault { Test-GlobalDrConsistency -Primary primary -Standby primary-again }) 'DrPairSameCluster' 10
            }
            finally { Disconnect-GlobalCluster -Name primary-again }
        }

        It '[NoFalseGreen] one cluster reached by two addresses (127.0.0.1 and localhost) is refused' {
            $other = New-TestKubeconfig -Simulator $sim -Name 'by-name.kubeconfig' -Transform { param($text) $text -replace 'https://127\.0\.0\.1:', 'https://localhost:' }
            Connect-GlobalCluster -Kubeconfig $other -Context standby -Role Standalone -Name standby-by-name | Out-Null
            try {
                $result = Measure-Fault { Test-GlobalDrConsistency -Primary standby-by-name -Standby standby }
                Assert-StableId $result 'DrPairSameCluster' 10
                $result.Error.Exception.Message | Should -Match 'uid'
            }
            finally { Disconnect-GlobalCluster -Name standby-by-name }
        }

        It '[BoundedTime] a Machine list slower than -RequestTimeoutSec: MachinesRunning is not checked (ServerTimeout)' {
            Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standalone -Name standby-impatient -RequestTimeoutSec 2 | Out-Null
            try {
                Add-Fault $sim standby @{ pathRegex = '^/apis/platform\.tkestack\.io/v1/machines(\?|$)'; latencyMs = 20000 }
                $result = Measure-Fault { Test-GlobalDrConsistency -Primary primary -Standby standby-impatient -TimeoutSec 2 }
                $check = @($result.Output | Where-Object { $_.Check -eq 'MachinesRunning' -and $_.Target -eq 'standby-impatient' })
                $check[0].Passed | Should -BeFalse
                $check[0].Detail.ErrorId | Should -Be 'ServerTimeout'
                $result.Seconds | Should -BeLessThan 15
            }
            finally { Disconnect-GlobalCluster -Name standby-impatient }
        }
    }

    Context 'Get-GlobalMachine: lists that are not lists, or never end' {
        It '[<Class>] <Name>' -ForEach $machineCases {
            $cluster = 'primary'
            if ($RequestTimeoutSec) {
                $cluster = 'primary-impatient'
                Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Standalone -Name $cluster -RequestTimeoutSec $RequestTimeoutSec | Out-Null
            }
            try {
                Add-Fault $sim primary $Rule
                $result = Measure-Fault { Get-GlobalMachine -Cluster $cluster }
                $result.Output | Should -BeNullOrEmpty -Because 'no partial list may be returned'
                Assert-StableId $result $ErrorId 20
                if ($Message) { $result.Error.Exception.Message | Should -Match $Message }
                if ($NotMessage) { $result.Error.Exception.Message | Should -Not -Match $NotMessage }
            }
            finally { if ($RequestTimeoutSec) { Disconnect-GlobalCluster -Name $cluster } }
        }
    }

    Context 'Connect-GlobalCluster: bad kubeconfigs and broken servers' {
        It '[<Class>] <Name>' -ForEach $connectCases {
            $path = $sim.Kubeconfig
            if ($null -ne $Kubeconfig) { $path = Join-Path $sim.Directory "case-$([guid]::NewGuid().ToString('N')).kubeconfig"; Set-Content -Path $path -Value $Kubeconfig -NoNewline }
            if ($Folder) { $path = $sim.Directory }
            if ($ClosedPort) {
                $free = Get-FreePort
                $path = New-TestKubeconfig -Simulator $sim -Name 'closed.kubeconfig' -Transform { param($text) $text -replace 'https://127\.0\.0\.1:\d+', "https://127.0.0.1:$free" }
            }
            if ($Rule) { Add-Fault $sim primary $Rule }
            $result = Measure-Fault { Connect-GlobalCluster -Kubeconfig $path -Context primary -Role Standalone -Name fault-case -RequestTimeoutSec 2 -ConnectTimeoutSec 2 }
            try {
                $result.Output | Should -BeNullOrEmpty
                Assert-StableId $result $ErrorId 15
                if ($Message) { $result.Error.Exception.Message | Should -Match $Message }
                if ($NotMessage) { $result.Error.Exception.Message | Should -Not -Match $NotMessage }
                Get-GlobalCluster -Name fault-case -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            }
            finally { Get-GlobalCluster | Where-Object Name -EQ 'fault-case' | Disconnect-GlobalCluster }
        }
    }

    Context 'Uninstall-EtcdSync: the guard never lets a broken report through' {
        It '[<Class>] <Name>: refused (StandbyNotConsistent, <Check>), the synchronizer stays' -ForEach $uninstallCases {
            if ($Rule) { Add-Fault $sim standby $Rule }
            if ($Monitor) { Set-Monitor $sim $Monitor }
            $result = Measure-Fault { Uninstall-EtcdSync -Confirm:$false -TimeoutSec 2 }
            Assert-StableId $result 'StandbyNotConsistent' ($Bound ?? 20)
            $result.Error.Exception.Message | Should -Match $Check
            $infos = @((Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/cluster.alauda.io/v1alpha1/moduleinfoes?labelSelector=cpaas.io/module-name%3Detcd-sync').items)
            $infos | Should -HaveCount 1 -Because 'nothing may be removed on a report that cannot be trusted'
        }
    }

    Context 'Get-GlobalUpgradePlan: versions that do not fit a number' {
        It '[<Class>] -TargetVersion <Version> (<Name>) is InvalidPlatformVersion' -ForEach $versionCases {
            $result = Measure-Fault { Get-GlobalUpgradePlan -TargetVersion $Version }
            Assert-StableId $result 'InvalidPlatformVersion' 10
            $result.Error.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $result.Error.Exception.Message | Should -Match ([regex]::Escape($Version))
        }
    }
}

Describe 'Faults of the platform during an upgrade' -Tag CI {
    BeforeAll {
        $script:previousStateHome = $env:GLOBALUPGRADE_STATE_HOME
        $env:GLOBALUPGRADE_STATE_HOME = Join-Path $TestDrive 'state'
        # Scenario components-not-offered: after the trigger the ClusterModule never offers the Functional Components upgrade.
        $script:sim = Start-TestSimulator -Scenario components-not-offered -TimeScale 0.1
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context global -Role Standalone | Out-Null
        $script:package = New-TestPackage -Root $TestDrive -Name 'package' -Version 'v4.2.0' -SyncMs 100 -Simulator $sim -Cluster global
    }
    AfterAll {
        Stop-TestSimulator $sim
        $env:GLOBALUPGRADE_STATE_HOME = $previousStateHome
    }

    It '[BoundedTime] the Functional Components upgrade is never offered: ComponentUpgradeNotAvailable within the deadline, nothing written' {
        $result = Measure-Fault { Start-GlobalUpgrade -PackagePath $package -Force -RunRoot (Join-Path $TestDrive 'runs') -ComponentProfile @{ ClusterModuleUpgradeAvailableTimeout = '3s' } -Confirm:$false }
        Assert-StableId $result 'ComponentUpgradeNotAvailable' 60
        $result.Error.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $result.Error.Exception.Message | Should -Match 'status\.upgradable=false'
        $result.Seconds | Should -BeGreaterThan 3 -Because 'it waited until its deadline'
        @(Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' | Where-Object { $_.method -eq 'PATCH' -and $_.path -match '/clustermodules/' }) |
            Should -BeNullOrEmpty -Because 'nothing is requested that the platform did not offer'
    }
}

Describe 'Faults of etcd endpoints (real etcd)' -Tag CI {
    BeforeAll {
        $script:pki = New-EtcdTestPki
        $script:etcd = Start-EtcdTestServer -Name faults -Pki $pki
        $script:dead = Start-EtcdTestServer -Name faults-dead -Pki $pki
        $script:deadTls = $dead.TlsEndpoint
        Stop-EtcdTestServer $dead
        $script:silent = New-SilentPort
        $script:silentPort = $silent.LocalEndpoint.Port
        $script:client = @{ CertificatePath = $pki.ClientCertificatePath; KeyPath = $pki.ClientKeyPath; CaPath = $pki.CaPath }
        $script:plainAsTls = $etcd.PlainEndpoint -replace '^http:', 'https:'
        $script:tlsAsPlain = $etcd.TlsEndpoint -replace '^https:', 'http:'
        $script:sim = Start-TestSimulator -Scenario healthy -Dr -TimeScale 0.25
        Connect-SimPair $sim
    }
    AfterAll {
        if ($silent) { $silent.Stop() }
        if ($etcd) { Stop-EtcdTestServer $etcd }
        if ($pki) { Remove-Item $pki.Path -Recurse -Force -ErrorAction Ignore }
        Stop-TestSimulator $sim
    }

    Context 'Test-EtcdEndpoint: a failed probe says what really happened' {
        It '[<Class>] <Name>' -ForEach @(
            @{ Class = 'NoFalseGreen'; Name = 'https:// to the plain-HTTP port does not blame certificates'; Endpoint = { $plainAsTls }; Tls = $true; Message = 'does not speak TLS|plain'; NotMessage = 'client certificate|client-cert' }
            @{ Class = 'NoFalseGreen'; Name = 'https:// to a silent port is not reachable'; Endpoint = { "https://127.0.0.1:$silentPort" }; Tls = $true; Message = 'did not answer'; NotMessage = 'certificate' }
            @{ Class = 'NoFalseGreen'; Name = 'http:// to a silent port is not reachable'; Endpoint = { "http://127.0.0.1:$silentPort" }; Message = 'did not answer'; NotMessage = 'certificate' }
            @{ Class = 'NoFalseGreen'; Name = 'a member that died is told as not running, not as TLS'; Endpoint = { $deadTls }; Tls = $true; Message = 'refused'; NotMessage = 'certificate' }
            @{ Class = 'NoFalseGreen'; Name = 'http:// to the TLS port says to use https'; Endpoint = { $tlsAsPlain }; Message = 'https|TLS' }
            @{ Class = 'NoFalseGreen'; Name = 'http:// to an HTTPS server that is not etcd'; Endpoint = { $sim.Clusters['primary'].Server -replace '^https:', 'http:' }; Message = 'HTTP/2|https|TLS' }
        ) {
            $endpoint = & $Endpoint
            $parameters = @{ TimeoutSec = 2 }
            if ($Tls) { $parameters += $client }
            $result = Measure-Fault { Test-EtcdEndpoint $endpoint @parameters }
            $result.Error | Should -BeNullOrEmpty -Because 'a failed probe is a result, not an error'
            $result.Output[0].Passed | Should -BeFalse
            $result.Output[0].Message | Should -Match $Message
            if ($NotMessage) { $result.Output[0].Message | Should -Not -Match $NotMessage }
            $result.Seconds | Should -BeLessThan 12
        }
    }

    Context 'Compare-EtcdKeyspace: endpoints that cannot be scanned' {
        It '[<Class>] <Name>' -ForEach @(
            @{ Class = 'StableId'; Name = 'https:// to the plain port on one side'; Standby = { $plainAsTls }; NotMessage = 'client certificate' }
            @{ Class = 'BoundedTime'; Name = 'a silent standby'; Standby = { "https://127.0.0.1:$silentPort" } }
            @{ Class = 'StableId'; Name = 'a dead standby member'; Standby = { $deadTls }; Message = 'refused'; NotMessage = 'certificate' }
        ) {
            $standby = & $Standby
            $result = Measure-Fault {
                Compare-EtcdKeyspace -PrimaryEndpoint $etcd.TlsEndpoint -StandbyEndpoint $standby -TimeoutSec 2 `
                    -PrimaryCertificatePath $pki.ClientCertificatePath -PrimaryKeyPath $pki.ClientKeyPath -PrimaryCaPath $pki.CaPath `
                    -StandbyCertificatePath $pki.ClientCertificatePath -StandbyKeyPath $pki.ClientKeyPath -StandbyCaPath $pki.CaPath
            }
            $result.Output | Should -BeNullOrEmpty -Because 'no diff may come from a side that was not read'
            Assert-StableId $result 'EtcdConnectionFailed|EtcdScanFailed' 20
            if ($Message) { $result.Error.Exception.Message | Should -Match $Message }
            if ($NotMessage) { $result.Error.Exception.Message | Should -Not -Match $NotMessage }
        }
    }

    Context 'Install-EtcdSync: the port check counts only an answer' {
        It '[<Class>] <Name>: EtcdEndpointUnreachable, nothing installed' -ForEach @(
            @{ Class = 'NoFalseGreen'; Name = 'a TLS endpoint that never answers'; Active = { "https://127.0.0.1:$silentPort" } }
            @{ Class = 'NoFalseGreen'; Name = 'a plain-HTTP port given as https'; Active = { $plainAsTls } }
            @{ Class = 'NoFalseGreen'; Name = 'a member that died'; Active = { $deadTls } }
        ) {
            $active = & $Active
            $before = Get-SimStore $sim standby
            $answering = "https://127.0.0.1:$(([uri]$sim.Clusters['standby'].Server).Port)"
            $result = Measure-Fault { Install-EtcdSync -ActiveClusterVip 127.0.0.1 -ActiveEtcdEndpoint $active -StandbyEtcdEndpoint $answering -Confirm:$false }
            Assert-StableId $result 'EtcdEndpointUnreachable' 20
            $result.Error.Exception.Message | Should -Match ([regex]::Escape(([uri]$active).Authority))
            Compare-Object $before (Get-SimStore $sim standby) | Should -BeNullOrEmpty
        }
    }
}

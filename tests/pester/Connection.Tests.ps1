BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    $script:sim = Start-TestSimulator -Scenario 'failed-machine' -Dr
    $env:KUBECONFIG = $sim.Kubeconfig
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
    Stop-TestSimulator $script:sim
    Remove-Item Env:KUBECONFIG -ErrorAction Ignore
}

Describe 'Connect-GlobalCluster' -Tag CI {
    AfterEach { Get-GlobalCluster | Disconnect-GlobalCluster }

    It 'connects a DR pair and reads versions from ProductBase and /version' {
        $primary = Connect-GlobalCluster -Context primary -Role Primary
        $standby = Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standby

        $primary | Should -BeOfType ([GlobalUpgrade.GlobalCluster])
        $primary.Role | Should -Be ([GlobalUpgrade.ClusterRole]::Primary)
        $primary.Server | Should -Be ([uri]$sim.Clusters.primary.Server)
        $standby.Server | Should -Be ([uri]$sim.Clusters.standby.Server)
        $productBase = Invoke-SimAdmin -Simulator $sim -Cluster primary -Path '/apis/product.alauda.io/v1alpha2/productbases/base'
        $primary.PlatformVersion | Should -BeExactly $productBase.status.version
        $version = Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/version'
        $standby.KubernetesVersion | Should -BeExactly $version.gitVersion
        (Get-GlobalCluster).Name | Should -Be @('primary', 'standby')
    }

    It 'uses the current context when -Context is omitted and names the connection with -Name' {
        $c = Connect-GlobalCluster -Role Standalone -Name main
        $c.Context | Should -Be 'primary'
        (Get-GlobalCluster -Name main).Context | Should -Be 'primary'
        Get-GlobalCluster -Role Standby | Should -BeNullOrEmpty
    }

    It 'keeps credentials out of the output' {
        $c = Connect-GlobalCluster -Context primary -Role Primary -Verbose 4>&1 | Out-String
        $c | Should -Not -Match ([regex]::Escape($sim.Clusters.primary.Token))
        (Get-GlobalCluster | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($sim.Clusters.primary.Token))
    }

    It 'says which request goes to which server under -Verbose' {
        $verbose = Connect-GlobalCluster -Context primary -Role Primary -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'GET https://127\.0\.0\.1:\d+/apis/product\.alauda\.io/v1alpha2/productbases/base'
    }
}

Describe 'Errors users will hit' -Tag CI {
    It 'kubeconfig missing: KubeconfigNotFound' {
        { Connect-GlobalCluster -Kubeconfig (Join-Path $TestDrive 'absent') -Context primary -Role Primary } |
            Should -Throw -ErrorId 'KubeconfigNotFound,GlobalUpgrade.Commands.Connection.ConnectGlobalClusterCommand'
    }

    It 'kubeconfig malformed: KubeconfigInvalid, InvalidData' {
        $bad = Join-Path $TestDrive 'bad'
        Set-Content $bad "clusters: [ {name: x\n  : : :"
        $err = { Connect-GlobalCluster -Kubeconfig $bad -Context primary -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly 'KubeconfigInvalid,GlobalUpgrade.Commands.Connection.ConnectGlobalClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'context not found: lists the contexts there are' {
        $err = { Connect-GlobalCluster -Context nope -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ContextNotFound,*'
        $err.Exception.Message | Should -Match 'primary' -Because 'the message lists the contexts'
        $err.Exception.Message | Should -Match 'standby-readonly'
    }

    It 'server unreachable: ServerUnreachable naming host and port' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $kc = New-TestKubeconfig $sim 'closed.kubeconfig' { param($t) $t -replace [regex]::Escape($sim.Clusters.primary.Server), "https://127.0.0.1:$port" }
        $err = { Connect-GlobalCluster -Kubeconfig $kc -Context primary -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ServerUnreachable,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match "127\.0\.0\.1:$port"
    }

    It 'server silent: ServerTimeout within the bound' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $kc = New-TestKubeconfig $sim 'silent.kubeconfig' { param($t) $t -replace [regex]::Escape($sim.Clusters.primary.Server), "https://127.0.0.1:$port" }
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $err = { Connect-GlobalCluster -Kubeconfig $kc -Context primary -Role Primary -ConnectTimeoutSec 2 } | Should -Throw -PassThru
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
            $err.FullyQualifiedErrorId | Should -BeLike 'ServerTimeout,*'
            $err.Exception.Message | Should -Match "127\.0\.0\.1:$port"
        }
        finally { $listener.Stop() }
    }

    It 'certificate not trusted: CertificateNotTrusted naming the CA used' {
        $key = [Security.Cryptography.ECDsa]::Create()
        $req = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=other-ca', $key, 'SHA256')
        $req.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
        $other = $req.CreateSelfSigned([DateTimeOffset]::Now.AddDays(-1), [DateTimeOffset]::Now.AddDays(1))
        $pem = "-----BEGIN CERTIFICATE-----`n$([Convert]::ToBase64String($other.RawData, 'InsertLineBreaks'))`n-----END CERTIFICATE-----`n"
        $b64 = [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes($pem))
        $kc = New-TestKubeconfig $sim 'otherca.kubeconfig' { param($t) $t -replace 'certificate-authority-data: \S+', "certificate-authority-data: $b64" }
        $err = { Connect-GlobalCluster -Kubeconfig $kc -Context primary -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'CertificateNotTrusted,*'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -Match 'certificate-authority-data of cluster ''primary'''
    }

    It '401: Unauthorized naming the user, never the token' {
        $kc = New-TestKubeconfig $sim 'badtoken.kubeconfig' { param($t) $t -replace [regex]::Escape($sim.Clusters.primary.Token), 'not-the-token-0123456789' }
        $err = { Connect-GlobalCluster -Kubeconfig $kc -Context primary -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Unauthorized,*'
        $err.Exception.Message | Should -Match "user 'primary'"
        $err.Exception.Message | Should -Not -Match 'not-the-token'
    }

    It '403: Forbidden naming the user' {
        $err = { Connect-GlobalCluster -Context primary-readonly -Role Primary } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'Forbidden,*'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.Message | Should -Match "user 'primary-readonly'"
    }

    It 'not a global cluster: NotAGlobalCluster' {
        $other = Start-TestSimulator -Scenario 'not-global'
        try {
            $err = { Connect-GlobalCluster -Kubeconfig $other.Kubeconfig -Role Standalone } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'NotAGlobalCluster,*'
            $err.Exception.Message | Should -Match 'clusters\.platform\.tkestack\.io/global'
        }
        finally { Stop-TestSimulator $other }
    }

    It '-Cluster naming no connection: ClusterNotConnected listing the connections' {
        Connect-GlobalCluster -Context primary -Role Primary | Out-Null
        try {
            $err = { Get-GlobalMachine -Cluster nosuch -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeExactly 'ClusterNotConnected,GlobalUpgrade.Commands.Inventory.GetGlobalMachineCommand'
            $err.Exception.Message | Should -Match 'Connected: primary'
        }
        finally { Disconnect-GlobalCluster }
    }

    It 'no connection at all: NoClusterConnected saying how to connect' {
        { Get-GlobalMachine } | Should -Throw -ErrorId 'NoClusterConnected,GlobalUpgrade.Commands.Inventory.GetGlobalMachineCommand'
    }

    It 'never shows a .NET stack trace' {
        $err = { Connect-GlobalCluster -Kubeconfig (Join-Path $TestDrive 'absent') -Role Primary } | Should -Throw -PassThru
        ($err | Out-String) | Should -Not -Match '\s+at [\w.]+\(.*\) in '
        ($err | Out-String) | Should -Not -Match 'System\.\w+Exception'
    }
}

Describe 'Get-GlobalMachine' -Tag CI {
    BeforeAll {
        Connect-GlobalCluster -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Context standby -Role Standby | Out-Null
        $script:storeMachines = @('primary', 'standby') | ForEach-Object {
            $cluster = $_
            (Invoke-SimAdmin -Simulator $sim -Cluster $cluster -Path '/apis/platform.tkestack.io/v1/machines').items | ForEach-Object { [pscustomobject]@{ Cluster = $cluster; Name = $_.metadata.name; Phase = $_.status.phase } }
        }
    }
    AfterAll { Get-GlobalCluster | Disconnect-GlobalCluster }

    It 'returns every Machine of both clusters as GlobalMachine objects' {
        $machines = Get-GlobalMachine
        $machines | Should -HaveCount $storeMachines.Count
        $machines[0] | Should -BeOfType ([GlobalUpgrade.GlobalMachine])
        ($machines | ForEach-Object { "$($_.Cluster)/$($_.Name)" } | Sort-Object) | Should -Be ($storeMachines | ForEach-Object { "$($_.Cluster)/$($_.Name)" } | Sort-Object)
    }

    It 'shows the failed machine with the platform''s reason' {
        $expected = $storeMachines | Where-Object Phase -ne 'Running'
        $expected | Should -Not -BeNullOrEmpty -Because 'the scenario has a failed machine'
        $failed = Get-GlobalMachine -NotRunning
        $failed.Name | Should -Be $expected.Name
        $failed.IsRunning | Should -BeFalse
        $failed.Reason | Should -Not -BeNullOrEmpty
        (Get-GlobalMachine -Phase Failed).Name | Should -Be $expected.Name
    }

    It 'takes -Cluster as a name or from a GlobalCluster object' {
        $byName = Get-GlobalMachine -Cluster standby
        $byObject = Get-GlobalCluster -Name standby | Get-GlobalMachine
        $byName.Cluster | Sort-Object -Unique | Should -Be 'standby'
        $byObject.Name | Should -Be $byName.Name
        $byName | Should -HaveCount @($storeMachines | Where-Object Cluster -eq 'standby').Count
    }

    It 'formats as a table of the columns an operator scans' {
        $table = Get-GlobalMachine -Cluster primary | Format-Table | Out-String
        $table | Should -Match 'Cluster\s+Name\s+ClusterName\s+IP\s+Role\s+Phase'
    }

    It 'lists the machines of the other clusters when one is unreachable' {
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method POST -Body @(@{ pathRegex = 'machines'; status = 503 }) | Out-Null
        try {
            $machines = Get-GlobalMachine -ErrorVariable failures -ErrorAction SilentlyContinue
            $machines.Cluster | Sort-Object -Unique | Should -Be 'primary'
            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ApiRequestFailed,*'
        }
        finally { Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/faults' -Method DELETE | Out-Null }
    }
}

Describe 'Tab completion' -Tag CI {
    It 'completes -Context from the kubeconfig' {
        $line = "Connect-GlobalCluster -Kubeconfig '$($sim.Kubeconfig)' -Context st"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Be @('standby', 'standby-readonly')
    }

    It 'completes -Cluster from the session''s connections' {
        Connect-GlobalCluster -Context standby -Role Standby | Out-Null
        try {
            $line = 'Get-GlobalMachine -Cluster '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'standby'
        }
        finally { Disconnect-GlobalCluster }
    }
}

Describe 'Disconnect-GlobalCluster' -Tag CI {
    It 'closes named connections and reports unknown names' {
        Connect-GlobalCluster -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Context standby -Role Standby | Out-Null
        Disconnect-GlobalCluster -Name primary
        (Get-GlobalCluster).Name | Should -Be 'standby'
        Disconnect-GlobalCluster -Name primary -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotConnected,*'
        Disconnect-GlobalCluster
        Get-GlobalCluster | Should -BeNullOrEmpty
    }
}

# Compare-EtcdKeyspace and Test-EtcdEndpoint as a user drives them, against two real etcd servers (TLS with
# client-certificate auth, and plain HTTP) holding keys that differ in known ways.
BeforeDiscovery {
    $script:compareId = 'GlobalUpgrade.Commands.Etcd.CompareEtcdKeyspaceCommand'
}

Describe 'etcd cmdlets' -Tag CI {
    BeforeAll {
        Import-Module $env:GLOBALUPGRADE_MODULE -Force
        Import-Module (Join-Path $PSScriptRoot 'EtcdTestServer.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $script:compareId = 'GlobalUpgrade.Commands.Etcd.CompareEtcdKeyspaceCommand'
        $script:testId = 'GlobalUpgrade.Commands.Etcd.TestEtcdEndpointCommand'
        $script:pki = New-EtcdTestPki
        $script:primary = Start-EtcdTestServer -Name primary -Pki $pki
        $script:standby = Start-EtcdTestServer -Name standby -Pki $pki

        $script:longMissed = '/registry/configmaps/app/' + ('y' * 1200)
        $script:nonAsciiMissed = '/registry/secrets/app/ключ-🔑'
        $common = [ordered]@{}
        0..29 | ForEach-Object { $common["/registry/pods/app/p$_"] = "pod $_" }
        $common['/registry/configmaps/app/' + ('x' * 1500)] = 'long'
        $common['/registry/configmaps/app/配置-ü'] = 'non-ascii'
        $common['/registry/namespaces/app'] = 'ns'
        $primaryOnly = [ordered]@{
            '/registry/pods/app/missed-1' = 'm'; $longMissed = 'm'; $nonAsciiMissed = 'm'
            '/registry/configmaps/app/changed' = 'v1'
            '/registry/pods/kube-system/excluded-1' = 'x'; '/registry/namespaces/cpaas-system' = 'x'
            '/registry/cert-manager.io/certificates/cert-manager/c1' = 'x'
        }
        $standbyOnly = [ordered]@{
            '/registry/pods/app/surplus-1' = 's'; '/registry/configmaps/app/changed' = 'v2'
            '/registry/events/app/e1' = 'x'; '/registry/leases/kube-node-lease/n1' = 'x'
        }
        Set-EtcdTestKey -Endpoint $primary.PlainEndpoint -Pairs $common
        Set-EtcdTestKey -Endpoint $standby.PlainEndpoint -Pairs $common
        Set-EtcdTestKey -Endpoint $primary.PlainEndpoint -Pairs $primaryOnly
        Set-EtcdTestKey -Endpoint $standby.PlainEndpoint -Pairs $standbyOnly

        $script:tls = @{
            PrimaryEndpoint = $primary.TlsEndpoint; StandbyEndpoint = $standby.TlsEndpoint
            PrimaryCertificatePath = $pki.ClientCertificatePath; PrimaryKeyPath = $pki.ClientKeyPath; PrimaryCaPath = $pki.CaPath
            StandbyCertificatePath = $pki.ClientCertificatePath; StandbyKeyPath = $pki.ClientKeyPath; StandbyCaPath = $pki.CaPath
        }
        $script:plain = @{ PrimaryEndpoint = $primary.PlainEndpoint; StandbyEndpoint = $standby.PlainEndpoint }
        $script:closed = "http://127.0.0.1:$(Get-FreePort)"
    }

    AfterAll {
        $primary, $standby | Where-Object { $_ } | Stop-EtcdTestServer
        if ($pki) { Remove-Item $pki.Path -Recurse -Force -ErrorAction Ignore }
    }

    Context 'Compare-EtcdKeyspace' {
        It 'finds the missed, surplus and changed keys over TLS with client certificates' {
            $diff = Compare-EtcdKeyspace @tls -CompareValues
            $diff | Should -BeOfType ([GlobalUpgrade.EtcdKeyspaceDiff])
            $diff.MissedKeys | Should -Be @($longMissed, '/registry/pods/app/missed-1', $nonAsciiMissed)
            $diff.SurplusKeys | Should -Be @('/registry/pods/app/surplus-1')
            $diff.ChangedKeys | Should -Be @('/registry/configmaps/app/changed')
            $diff.PrimaryCount | Should -Be 37
            $diff.StandbyCount | Should -Be 35
            $diff.ExcludedCount | Should -Be 5
            $diff.IsConsistent | Should -BeFalse
            $diff.PrimaryRevision | Should -BeGreaterThan 0
        }

        It 'compares plain http:// endpoints, keys only by default' {
            $diff = Compare-EtcdKeyspace @plain -PageSize 3
            $diff.MissedCount | Should -Be 3
            $diff.SurplusCount | Should -Be 1
            $diff.ValuesCompared | Should -BeFalse
            $diff.ChangedKeys | Should -BeNullOrEmpty
        }

        It 'is consistent where nothing differs' {
            (Compare-EtcdKeyspace @plain -Prefix '/registry/pods/app/p' -CompareValues).IsConsistent | Should -BeTrue
        }

        It 'refuses a prefix under which neither side holds a key (<Prefix>) rather than calling it consistent' -ForEach @(
            @{ Prefix = 'registry/' }, @{ Prefix = '/registry/nosuchkind/' }
        ) {
            $err = { Compare-EtcdKeyspace @plain -Prefix $Prefix } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'EtcdKeyspaceEmpty,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match ([regex]::Escape("'$Prefix'"))
        }

        It 'prints the exclusion list in use with -Verbose, marked doc or assumed' {
            $verbose = Compare-EtcdKeyspace @plain -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
            $verbose | Should -Contain '  namespace:kube-system [doc: not synced by the etcd synchronizer (acp-docs docs/en/install/global_dr.mdx)]'
            ($verbose -match '^  /registry/events/ \[assumed: ').Count | Should -Be 1
        }

        It 'runs with -Debug in a script (no one to answer a prompt): the verbose lines are shown as debug, nothing is asked' {
            # PowerShell makes -Debug ask before each verbose message of a compiled cmdlet; in a script that fails the command.
            $child = Invoke-ChildPwsh -Environment @{ GU_ENDPOINTS = "$($primary.PlainEndpoint) $($standby.PlainEndpoint)" } -Script @"
Import-Module '$env:GLOBALUPGRADE_MODULE'
`$p, `$s = `$env:GU_ENDPOINTS -split ' '
`$records = Compare-EtcdKeyspace -PrimaryEndpoint `$p -StandbyEndpoint `$s -Debug 5>&1
`$diff = @(`$records | Where-Object { `$_ -is [GlobalUpgrade.EtcdKeyspaceDiff] })
`$debug = @(`$records | Where-Object { `$_ -is [System.Management.Automation.DebugRecord] })
"diffs=`$(`$diff.Count) missed=`$(`$diff[0].MissedCount)"
`$debug | ForEach-Object { "DEBUG=`$(`$_.Message)" }
"@
            $child.Error | Should -BeNullOrEmpty
            $child.ExitCode | Should -Be 0
            $lines = $child.Output -split "`n"
            $lines | Should -Contain 'diffs=1 missed=3'
            $lines | Where-Object { $_ -like 'DEBUG=Excluding * rules*' } | Should -Not -BeNullOrEmpty
            $lines | Where-Object { $_ -like 'DEBUG=*range*' } | Should -Not -BeNullOrEmpty
        }

        It 'compares a pair it compared before in fewer requests, cut where the last comparison found the keys' {
            $again = Start-EtcdTestServer -Name again
            try {
                # Families of numbered namespaces far apart: reading them the first time costs many small requests.
                $keys = foreach ($family in 'analytics', 'identity', 'logistics', 'messaging', 'observability', 'payments') {
                    foreach ($n in 0..19) { foreach ($i in 0..19) { '/registry/widgets.example.io/widgets/{0}-team-{1:D3}/w-{2:D4}' -f $family, ($n * 7), ($n * 20 + $i) } }
                }
                Set-EtcdTestKey -Endpoint $again.PlainEndpoint -Keys $keys
                $compare = {
                    $DebugPreference = 'Continue'
                    $records = Compare-EtcdKeyspace -PrimaryEndpoint $again.PlainEndpoint -StandbyEndpoint $standby.PlainEndpoint -PageSize 40 5>&1
                    $debug = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
                    [pscustomobject]@{
                        Diff = @($records | Where-Object { $_ -is [GlobalUpgrade.EtcdKeyspaceDiff] })
                        Requests = [int]([regex]::Match(($debug -like 'Range requests:*')[0], 'Range requests: (\d+) to the primary').Groups[1].Value)
                        Layout = @($debug -like 'primary: windows cut where the last scan of this etcd found the keys (2,400 keys at revision *')
                    }
                }
                $first = & $compare
                $second = & $compare

                $first.Diff.Count | Should -Be 1
                $second.Diff[0].MissedCount | Should -Be $first.Diff[0].MissedCount
                $second.Diff[0].SurplusCount | Should -Be $first.Diff[0].SurplusCount
                $second.Diff[0].MissedCount | Should -Be 2400
                $first.Layout | Should -BeNullOrEmpty
                $second.Layout | Should -HaveCount 1
                $second.Requests | Should -BeLessThan ($first.Requests / 2) -Because "the first comparison made $($first.Requests) requests to the primary"
            }
            finally {
                $again | Stop-EtcdTestServer
            }
        }

        It '-ExcludeDefault:$false compares the excluded keys too' {
            $diff = Compare-EtcdKeyspace @plain -ExcludeDefault:$false
            $diff.ExcludedCount | Should -Be 0
            $diff.MissedKeys | Should -Contain '/registry/namespaces/cpaas-system'
            $diff.SurplusKeys | Should -Contain '/registry/events/app/e1'
            $diff.Exclusions | Should -BeNullOrEmpty
        }

        It '-Exclude replaces the default list' {
            $diff = Compare-EtcdKeyspace @plain -Exclude '/registry/pods/', 'namespace:cert-manager'
            $diff.Exclusions | Should -Be @('/registry/pods/', 'namespace:cert-manager')
            $diff.MissedKeys | Should -Not -Contain '/registry/pods/app/missed-1'
            $diff.MissedKeys | Should -Contain '/registry/namespaces/cpaas-system'
            $diff.SurplusKeys | Should -Contain '/registry/events/app/e1'
        }

        It 'caps the lists with -MaxKeys, counts everything and warns' {
            $diff = Compare-EtcdKeyspace @plain -MaxKeys 1 -WarningVariable warnings -WarningAction SilentlyContinue
            $diff.MissedKeys.Count | Should -Be 1
            $diff.MissedCount | Should -Be 3
            $diff.IsTruncated | Should -BeTrue
            $warnings | Should -Not -BeNullOrEmpty
        }

        It 'refuses a missing certificate file with <Id>' -TestCases @(
            @{ Id = 'EtcdCertificateFileNotFound'; Category = 'ObjectNotFound'; Extra = @{ PrimaryCertificatePath = '/nonexistent/client.crt' } }
            @{ Id = 'EtcdTlsOptionsIncomplete'; Category = 'InvalidArgument'; Extra = @{ PrimaryCertificatePath = $null; PrimaryKeyPath = '/nonexistent/client.key' } }
        ) {
            $arguments = $tls.Clone()
            foreach ($k in $Extra.Keys) { if ($null -eq $Extra[$k]) { $arguments.Remove($k) } else { $arguments[$k] = $Extra[$k] } }
            { Compare-EtcdKeyspace @arguments } | Should -Throw -ErrorId "$Id,$compareId"
            $err = $null
            try { Compare-EtcdKeyspace @arguments } catch { $err = $_ }
            $err.CategoryInfo.Category | Should -Be $Category
        }

        It 'refuses a malformed exclusion rule' {
            { Compare-EtcdKeyspace @plain -Exclude 'registry/events' } | Should -Throw -ErrorId "EtcdExclusionInvalid,$compareId"
        }

        It 'fails (never a result) when a side cannot be read' {
            $err = $null
            try { Compare-EtcdKeyspace -PrimaryEndpoint $primary.PlainEndpoint -StandbyEndpoint $closed } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeExactly "EtcdConnectionFailed,$compareId"
            $err.Exception.Message | Should -BeLike '*standby*refused*'
        }

        It 'fails with the CA named when the standby is verified with the wrong CA' {
            $arguments = $tls.Clone(); $arguments.StandbyCaPath = $pki.OtherCaPath
            $err = $null
            try { Compare-EtcdKeyspace @arguments } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeExactly "EtcdConnectionFailed,$compareId"
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            $err.Exception.Message | Should -BeLike "*$($pki.OtherCaPath)*"
        }

        It 'fails with how far it got when etcd is killed mid-scan' {
            $doomed = Start-EtcdTestServer -Name doomed
            $killer = $null
            try {
                Set-EtcdTestKey -Endpoint $doomed.PlainEndpoint -Keys (0..4999 | ForEach-Object { "/registry/pods/app/k$_" })
                # An independent process kills etcd once it has served 200 more range requests than before the
                # comparison (etcd's own gRPC counter on /metrics): the comparison reads pages of 1 key, 5,000 requests,
                # so the kill lands mid-scan however loaded the machine is. Not fewer: the first requests read the
                # empty stretches between the excluded ranges before /registry/pods/ (no key yet), and on a loaded
                # machine the killer can act on the very request it counted.
                $port = ([uri]$doomed.PlainEndpoint).Port
                $served = 'exec 3<>/dev/tcp/127.0.0.1/' + $port + '; printf ''GET /metrics HTTP/1.0\r\n\r\n'' >&3; awk ''/^grpc_server_handled_total\{.*grpc_method="Range"/ { s += $2 } END { print s + 0 }'' <&3'
                $before = [int](& bash -c $served)
                $info = [Diagnostics.ProcessStartInfo]::new('bash')
                foreach ($a in '-c', "until [ `"`$($served)`" -ge $($before + 200) ]; do sleep 0.05; done; kill -9 $($doomed.Process.Id)") { $info.ArgumentList.Add($a) }
                $killer = [Diagnostics.Process]::Start($info)
                $err = $null
                try { Compare-EtcdKeyspace -PrimaryEndpoint $doomed.PlainEndpoint -StandbyEndpoint $standby.PlainEndpoint -PageSize 1 -TimeoutSec 5 } catch { $err = $_ }
                $killer.WaitForExit(60000) | Should -BeTrue -Because 'the killer saw the range requests and killed etcd'
                $err.FullyQualifiedErrorId | Should -BeExactly "EtcdScanFailed,$compareId"
                $err.Exception.Message | Should -Match "Reading the primary etcd failed after [\d,]+ keys \(revision \d+, last key read '/registry/pods/app/k\d+'\): $([regex]::Escape($doomed.PlainEndpoint))"
                $err.TargetObject | Should -Be "$($doomed.PlainEndpoint)/"
            }
            finally {
                if ($killer -and -not $killer.HasExited) { $killer.Kill() }
                $doomed | Stop-EtcdTestServer
            }
        }
    }

    Context 'Test-EtcdEndpoint' {
        It 'passes over TLS and reports the member' {
            $check = Test-EtcdEndpoint $primary.TlsEndpoint -CertificatePath $pki.ClientCertificatePath -KeyPath $pki.ClientKeyPath -CaPath $pki.CaPath
            $check | Should -BeOfType ([GlobalUpgrade.CheckResult])
            $check.Check | Should -BeExactly 'EtcdEndpoint'
            $check.Passed | Should -BeTrue -Because $check.Message
            $check.Target | Should -Be "$($primary.TlsEndpoint)/"
            $check.Detail.Version | Should -Match '^3\.'
            $check.Detail.ClusterId | Should -Not -BeNullOrEmpty
            $check.Detail.MemberId | Should -Not -BeNullOrEmpty
            $check.Detail.Leader | Should -Be $check.Detail.MemberId
            $check.Detail.RoundTrip | Should -BeOfType ([TimeSpan])
            $check.Detail.DbSize | Should -BeGreaterThan 0
        }

        It 'probes from a node over SSH with -ViaComputerName, and tells a refusal in the node''s words' {
            $ssh = Start-TestSshd -Directory (Join-Path $TestDrive 'sshd')
            try {
                $node = $ssh.Node.Clone(); $node.Remove('ComputerName')
                $check = Test-EtcdEndpoint $primary.TlsEndpoint -ViaComputerName 127.0.0.1 @node -CertificatePath $pki.ClientCertificatePath -KeyPath $pki.ClientKeyPath -CaPath $pki.CaPath
                $check.Passed | Should -BeTrue -Because $check.Message
                $check.Detail.From | Should -Be "127.0.0.1:$($ssh.Port)"
                $check.Detail.Version | Should -Match '^3\.'
                $check.Message | Should -BeLike "*(from 127.0.0.1:$($ssh.Port), through an SSH tunnel*"
                $closedTls = "https://127.0.0.1:$(Get-FreePort)"
                $refused = Test-EtcdEndpoint $closedTls -ViaComputerName 127.0.0.1 @node -CaPath $pki.CaPath
                $refused.Passed | Should -BeFalse
                $refused.Message | Should -BeLike "Nothing answers on 127.0.0.1:* as seen from 127.0.0.1:$($ssh.Port) (Connection refused)*"
            }
            finally { Stop-TestSshd $ssh }
        }

        It 'takes endpoints from the pipeline' {
            $checks = $primary.PlainEndpoint, $standby.PlainEndpoint | Test-EtcdEndpoint
            $checks.Count | Should -Be 2
            $checks.Passed | Should -Be @($true, $true)
        }

        It 'does not pass, naming the CA, when the server is not issued by it' {
            $check = Test-EtcdEndpoint $primary.TlsEndpoint -CertificatePath $pki.ClientCertificatePath -KeyPath $pki.ClientKeyPath -CaPath $pki.OtherCaPath
            $check.Passed | Should -BeFalse
            $check.Message | Should -BeLike "*$($pki.OtherCaPath)*"
        }

        It 'does not pass without a client certificate, and says so' {
            $check = Test-EtcdEndpoint $primary.TlsEndpoint -CaPath $pki.CaPath
            $check.Passed | Should -BeFalse
            $check.Message | Should -BeLike '*client certificate*'
        }

        It 'does not pass on a closed port, and says what to fix' {
            $check = Test-EtcdEndpoint $closed -TimeoutSec 2
            $check.Passed | Should -BeFalse
            $check.Message | Should -BeLike '*refused*not forwarded*'
        }

        It 'throws for a missing key file with a stable id' {
            $err = $null
            try { Test-EtcdEndpoint $primary.TlsEndpoint -CertificatePath $pki.ClientCertificatePath -KeyPath /nonexistent/client.key -CaPath $pki.CaPath } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeExactly "EtcdCertificateFileNotFound,$testId"
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }
}

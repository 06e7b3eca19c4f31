# Runs every example of every docs/<Cmdlet>.md page against the simulator, as a user would paste them: the
# examples of one page in order, in one fresh runspace (a later example may use what an earlier one connected). The
# environment gives what the examples name: a DR pair as the default kubeconfig (contexts primary and standby),
# $env:GU_MONITOR_URI, etcd endpoints with TLS files laid out as on a control-plane node, and stand-in packages.
#
# Each example declares what it shows, in lines after its code block that the help leaves out:
#   <!-- shows: <regex> -->   the text the example printed matches the regex (multi-line, case-insensitive);
#   <!-- holds: <expression> -->   the PowerShell expression is true in the page's session after the example.
# An example without a declaration fails: running without an error is not proof that it shows what its page says.

BeforeDiscovery {
    $docs = Join-Path $env:GLOBALUPGRADE_ROOT 'docs'
    # The runbook pages upgrade the simulated pair for real: they run last, the report after the runbook.
    $last = 'Invoke-GlobalUpgrade', 'Invoke-GlobalDrUpgrade', 'Export-GlobalUpgradeReport'
    # Cmdlet pages only (Verb-Noun.md); design notes such as platform-versions.md have no examples to run.
    $pages = Get-ChildItem $docs -Filter '*-*.md' | Where-Object Name -CMatch '^[A-Z][a-z]+-[A-Z][A-Za-z]+\.md$' | Sort-Object { [array]::IndexOf($last, $_.BaseName) }, Name
    $script:examples = foreach ($page in $pages) {
        $text = Get-Content $page.FullName -Raw
        $section = ($text -split '(?m)^## ')| Where-Object { $_ -like 'EXAMPLES*' }
        foreach ($example in ($section -split '(?m)^### ' | Select-Object -Skip 1)) {
            $m = [regex]::Match($example, '(?s)^(?<title>[^\n]+)\n.*?```powershell\n(?<code>.*?)\n```')
            if (-not $m.Success) { continue }
            @{
                Page = $page.BaseName; Title = $m.Groups['title'].Value.Trim(); Code = $m.Groups['code'].Value
                Shows = @([regex]::Matches($example, '<!-- shows: (.+?) -->') | ForEach-Object { $_.Groups[1].Value })
                Holds = @([regex]::Matches($example, '<!-- holds: (.+?) -->') | ForEach-Object { $_.Groups[1].Value })
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'EtcdTestServer.psm1') -Force
    $script:sim = Start-TestSimulator -Scenario 'healthy' -Dr -TimeScale 0.2
    $env:KUBECONFIG = $sim.Kubeconfig

    # Two real etcd servers for the etcd pages (plain http on loopback; the pages show the TLS options).
    $script:pki = New-EtcdTestPki
    $script:etcdPrimary = Start-EtcdTestServer -Name primary -Pki $pki
    $script:etcdStandby = Start-EtcdTestServer -Name standby -Pki $pki
    Set-EtcdTestKey -Endpoint $etcdPrimary.PlainEndpoint -Keys '/registry/configmaps/app1/a', '/registry/configmaps/app1/b'
    Set-EtcdTestKey -Endpoint $etcdStandby.PlainEndpoint -Keys '/registry/configmaps/app1/a'
    $env:GU_PRIMARY_ETCD = $etcdPrimary.PlainEndpoint
    $env:GU_STANDBY_ETCD = $etcdStandby.PlainEndpoint
    # The TLS pages: the standby's files where kubeadm puts them on its control-plane nodes ($env:GU_PKI stands for
    # /etc/kubernetes/pki), the primary's copied next to them as the page tells ($env:GU_PRIMARY_PKI).
    $env:GU_PKI = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'pki/etcd')).Parent.FullName
    Copy-Item $pki.CaPath (Join-Path $env:GU_PKI 'etcd/ca.crt')
    Copy-Item $pki.ClientCertificatePath (Join-Path $env:GU_PKI 'apiserver-etcd-client.crt')
    Copy-Item $pki.ClientKeyPath (Join-Path $env:GU_PKI 'apiserver-etcd-client.key')
    $env:GU_PRIMARY_PKI = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'primary-pki')).FullName
    Copy-Item $pki.CaPath (Join-Path $env:GU_PRIMARY_PKI 'etcd-ca.crt')
    Copy-Item $pki.ClientCertificatePath (Join-Path $env:GU_PRIMARY_PKI 'apiserver-etcd-client.crt')
    Copy-Item $pki.ClientKeyPath (Join-Path $env:GU_PRIMARY_PKI 'apiserver-etcd-client.key')
    $env:GU_PRIMARY_ETCD_TLS = $etcdPrimary.TlsEndpoint
    $env:GU_STANDBY_ETCD_TLS = $etcdStandby.TlsEndpoint

    # The stand-in upgrade package, quick, for the image sync and upgrade pages; run records go to the test drive.
    $env:GU_PACKAGE = Join-Path $TestDrive 'package'
    Copy-Item (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $env:GU_PACKAGE -Recurse
    Set-Content (Join-Path $env:GU_PACKAGE 'fake.conf') "GU_FAKE_DURATION_MS=300`nGU_FAKE_IMAGES=5"
    $env:GU_FAILING_PACKAGE = Join-Path $TestDrive 'failing-package'
    Copy-Item (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $env:GU_FAILING_PACKAGE -Recurse
    Set-Content (Join-Path $env:GU_FAILING_PACKAGE 'fake.conf') "GU_FAKE_DURATION_MS=300`nGU_FAKE_IMAGES=5`nGU_FAKE_EXIT=3"
    $env:GU_WORK = (New-Item -ItemType Directory (Join-Path $TestDrive 'work')).FullName
    $env:GU_JOURNAL = Join-Path $env:GU_WORK 'dr.journal.json'
    $script:runbookSim = $null

    # The runbook pages upgrade a pair for real: they get a fresh healthy pair of their own (the other pages may have
    # changed theirs), and two stand-in packages, each telling its simulated cluster that the upgrade happened.
    function Use-RunbookSimulator {
        if ($script:runbookSim) {
            $env:KUBECONFIG = $runbookSim.Kubeconfig
            $env:GLOBALUPGRADE_STATE_HOME = Join-Path $runbookSim.Directory 'state'
            return
        }
        $script:runbookSim = Start-TestSimulator -Scenario 'healthy' -Dr -TimeScale 0.2
        $env:KUBECONFIG = $runbookSim.Kubeconfig
        $env:GLOBALUPGRADE_STATE_HOME = (New-Item -ItemType Directory -Force (Join-Path $runbookSim.Directory 'state')).FullName
        foreach ($cluster in 'primary', 'standby') {
            $package = Join-Path $TestDrive "dr-$cluster"
            Copy-Item (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $package -Recurse
            Set-Content (Join-Path $package 'version') 'v4.2.0'
            Set-Content (Join-Path $package 'fake.conf') "GU_FAKE_DURATION_MS=300`nGU_FAKE_IMAGES=5`nGU_SIM_ADMIN_URL=$($runbookSim.Clusters[$cluster].Server)`nGU_SIM_TOKEN=$($runbookSim.Clusters[$cluster].Token)"
            Set-Item "Env:GU_DR_$($cluster.ToUpper())_PACKAGE" $package
        }
    }
    $script:stateHome = $env:GLOBALUPGRADE_STATE_HOME
    $script:pagesStateHome = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'state')).FullName
    $env:GLOBALUPGRADE_STATE_HOME = $pagesStateHome

    # What an operator on a node reads with curl: a monitor answering /check, here on loopback.
    $script:monitor = [Net.HttpListener]::new()
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $monitor.Prefixes.Add("http://127.0.0.1:$port/")
    $monitor.Start()
    $env:GU_MONITOR_URI = "http://127.0.0.1:$port/check"
    $script:monitorLoop = [powershell]::Create().AddScript({
            param($listener)
            while ($listener.IsListening) {
                try { $ctx = $listener.GetContext() } catch { break }
                $body = [Text.Encoding]::UTF8.GetBytes("LOCAL ETCD missed keys:`nLOCAL ETCD surplus keys:`n")
                $ctx.Response.OutputStream.Write($body, 0, $body.Length)
                $ctx.Response.Close()
            }
        }).AddArgument($monitor)
    $null = $monitorLoop.BeginInvoke()
    $script:pageSessions = @{}

    # Upgrade pages: a fresh healthy pair of their own (their upgrade moves the standby to v4.2.0, which the other
    # pages must not see), run records in its state folder, and $env:GU_UPGRADE_PACKAGE, a stand-in package (run
    # locally) that installs v4.2.0 over the standby's v4.1.0 and tells the simulator the platform moved (as upgrade.sh
    # --skip-sync-image does), so its ClusterModule offers the components' upgrade that Start-GlobalUpgrade waits for.
    $script:upgradeSim = $null
    $env:GU_UPGRADE_PACKAGE = Join-Path $TestDrive 'upgrade-package'
    Copy-Item -Recurse (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $env:GU_UPGRADE_PACKAGE
    Set-Content -Path (Join-Path $env:GU_UPGRADE_PACKAGE 'version') -Value 'v4.2.0'
    function Use-UpgradeSimulator {
        if (-not $script:upgradeSim) {
            $script:upgradeSim = Start-TestSimulator -Scenario 'healthy' -Dr -TimeScale 0.2
            $null = New-Item -ItemType Directory -Force (Join-Path $upgradeSim.Directory 'state')
            Set-Content -Path (Join-Path $env:GU_UPGRADE_PACKAGE 'fake.conf') -Value 'GU_FAKE_DURATION_MS=300', 'GU_FAKE_IMAGES=3', "GU_SIM_ADMIN_URL=$($upgradeSim.Clusters['standby'].Server)", "GU_SIM_TOKEN=$($upgradeSim.Clusters['standby'].Token)"
        }
        $env:KUBECONFIG = $upgradeSim.Kubeconfig
        $env:GLOBALUPGRADE_STATE_HOME = Join-Path $upgradeSim.Directory 'state'
    }
}

AfterAll {
    $pageSessions.Values | ForEach-Object { $_.Dispose() }
    $monitor.Stop()
    $monitorLoop.Dispose()
    Stop-TestSimulator $script:sim
    $etcdPrimary, $etcdStandby | Where-Object { $_ } | Stop-EtcdTestServer
    Stop-TestSimulator $script:runbookSim
    Stop-TestSimulator $script:upgradeSim
    Remove-Item Env:KUBECONFIG, Env:GU_MONITOR_URI, Env:GU_PRIMARY_ETCD, Env:GU_STANDBY_ETCD, Env:GU_PKI, Env:GU_PRIMARY_PKI, Env:GU_PRIMARY_ETCD_TLS, Env:GU_STANDBY_ETCD_TLS, Env:GU_PACKAGE, Env:GU_FAILING_PACKAGE, Env:GU_WORK, Env:GU_JOURNAL, Env:GU_DR_PRIMARY_PACKAGE, Env:GU_DR_STANDBY_PACKAGE, Env:GU_UPGRADE_PACKAGE -ErrorAction Ignore
    $env:GLOBALUPGRADE_STATE_HOME = $stateHome
}

Describe 'Docs examples run' -Tag CI {
    It 'finds examples on every cmdlet page' {
        $pages = Get-ChildItem (Join-Path $env:GLOBALUPGRADE_ROOT 'docs') -Filter '*-*.md' | Where-Object Name -CMatch '^[A-Z][a-z]+-[A-Z][A-Za-z]+\.md$'
        $manifest = Import-PowerShellDataFile $env:GLOBALUPGRADE_MODULE
        foreach ($cmdlet in $manifest.CmdletsToExport) { $pages.BaseName | Should -Contain $cmdlet }
        foreach ($page in $pages) { ($examples | Where-Object Page -eq $page.BaseName) | Should -Not -BeNullOrEmpty -Because "$($page.Name) has examples" }
    }

    It '<Page>: <Title>' -ForEach $examples {
        # Each page meets the pair its examples expect: pages that upgrade get a pair of their own.
        if ($Page -in 'Invoke-GlobalUpgrade', 'Invoke-GlobalDrUpgrade', 'Export-GlobalUpgradeReport') { Use-RunbookSimulator }
        elseif ($Page -in 'Start-GlobalUpgrade', 'Wait-GlobalUpgrade') { Use-UpgradeSimulator }
        else { $env:KUBECONFIG = $sim.Kubeconfig; $env:GLOBALUPGRADE_STATE_HOME = $pagesStateHome }
        if (-not $pageSessions.ContainsKey($Page)) {
            # The test's own host, so that what the example writes to the host (-WhatIf's "What if:" lines, warnings)
            # reaches the transcript below and can be checked like its output.
            $pageSessions[$Page] = [runspacefactory]::CreateRunspace($Host)
            $pageSessions[$Page].Open()
            # Examples may ask for a login with Get-Credential; answer as a user would, without a prompt.
            $answer = [powershell]::Create()
            $answer.Runspace = $pageSessions[$Page]
            $null = $answer.AddScript('function Get-Credential { param([string] $Message, [string] $UserName = "docs-user") [pscredential]::new($UserName, (ConvertTo-SecureString "docs-password-0" -AsPlainText -Force)) }').Invoke()
            # The user works in a folder of their own: what a cmdlet leaves in the current folder lands there.
            $answer.Commands.Clear()
            $null = $answer.AddCommand('Set-Location').AddParameter('LiteralPath', $env:GU_WORK).Invoke()
            $answer.Dispose()
        }
        $ps = [powershell]::Create()
        $ps.Runspace = $pageSessions[$Page]
        try {
            $transcript = Join-Path $TestDrive "transcript-$([guid]::NewGuid().ToString('N')).txt"
            $script = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; Import-Module '$env:GLOBALUPGRADE_MODULE'`n" +
                "Start-Transcript -Path '$transcript' -UseMinimalHeader | Out-Null`ntry {`n$Code`n}`nfinally { Stop-Transcript | Out-Null }`n"
            $null = $ps.AddScript($script).AddCommand('Out-String').AddParameter('Width', 250)
            $printed = -join $ps.Invoke()
            $printed += "`n" + ((Get-Content $transcript -ErrorAction Ignore | Where-Object { $_ -notmatch '^\*{10}|^PowerShell transcript|^Start time|^End time|^Transcript started' }) -join "`n")
            $errors = @($ps.Streams.Error | Where-Object { $_.CategoryInfo.Reason -ne 'ActionPreferenceStopException' })
            # Under 'Stop' an error the example does not handle ends it (the catch below); one it catches is its own.
            $errors | Should -BeNullOrEmpty -Because ($errors | Out-String)
        }
        catch [System.Management.Automation.MethodInvocationException] {
            throw "The example failed: $($_.Exception.InnerException.Message)"
        }
        finally { $ps.Dispose() }

        ($Shows.Count + $Holds.Count) | Should -BeGreaterThan 0 -Because "the example declares what it shows (<!-- shows: regex --> or <!-- holds: expression -->); it printed:`n$printed"
        foreach ($pattern in $Shows) {
            $printed | Should -Match "(?mi)$pattern" -Because "the page says the example shows it; it printed:`n$printed"
        }
        foreach ($expression in $Holds) {
            $check = [powershell]::Create()
            $check.Runspace = $pageSessions[$Page]
            try { $held = $check.AddScript("[bool]($expression)").Invoke() | Select-Object -First 1 }
            finally { $check.Dispose() }
            $held | Should -BeTrue -Because "the page says '$expression' holds after the example; it printed:`n$printed"
        }
    }
}

# Runs every example of every docs/<Cmdlet>.md page against the simulator, as a user would paste them: the
# examples of one page in order, in one fresh runspace (a later example may use what an earlier one connected). The environment gives what the examples name: a DR pair as the default kubeconfig
# (contexts primary and standby), $env:GU_MONITOR_URI, and whatever later fixtures add.

BeforeDiscovery {
    $docs = Join-Path $env:GLOBALUPGRADE_ROOT 'docs'
    $script:examples = foreach ($page in Get-ChildItem $docs -Filter '*-*.md') {
        $text = Get-Content $page.FullName -Raw
        $section = ($text -split '(?m)^## ')| Where-Object { $_ -like 'EXAMPLES*' }
        foreach ($m in [regex]::Matches($section, '(?ms)^### (?<title>[^\n]+)\n.*?```powershell\n(?<code>.*?)\n```')) {
            @{ Page = $page.BaseName; Title = $m.Groups['title'].Value.Trim(); Code = $m.Groups['code'].Value }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:sim = Start-TestSimulator -Scenario 'healthy' -Dr
    $env:KUBECONFIG = $sim.Kubeconfig

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

    # Upgrade pages: run records in a state folder of their own, and $env:GU_UPGRADE_PACKAGE, a stand-in package
    # (run locally) that installs v4.2.0 over the pair's v4.1.0 (a ClusterModule upgrade) in a few seconds.
    $script:previousStateHome = $env:GLOBALUPGRADE_STATE_HOME
    $env:GLOBALUPGRADE_STATE_HOME = (New-Item -ItemType Directory -Force (Join-Path $sim.Directory 'state')).FullName
    $upgradePackage = Join-Path $sim.Directory 'upgrade-package'
    Copy-Item -Recurse (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $upgradePackage
    Set-Content -Path (Join-Path $upgradePackage 'version') -Value 'v4.2.0'
    Set-Content -Path (Join-Path $upgradePackage 'fake.conf') -Value 'GU_FAKE_DURATION_MS=300', 'GU_FAKE_IMAGES=3'
    $env:GU_UPGRADE_PACKAGE = $upgradePackage
    if (-not $env:GU_PACKAGE) {
        # Image sync pages: a copy of the stand-in package, quick.
        $script:ownPackage = Join-Path $sim.Directory 'package'
        Copy-Item -Recurse (Join-Path $env:GLOBALUPGRADE_ROOT 'tests/fixtures/package') $ownPackage
        Set-Content -Path (Join-Path $ownPackage 'fake.conf') -Value 'GU_FAKE_DURATION_MS=300', 'GU_FAKE_IMAGES=3'
        $env:GU_PACKAGE = $ownPackage
    }
}

AfterAll {
    $pageSessions.Values | ForEach-Object { $_.Dispose() }
    $monitor.Stop()
    $monitorLoop.Dispose()
    Stop-TestSimulator $script:sim
    Remove-Item Env:KUBECONFIG, Env:GU_MONITOR_URI, Env:GU_UPGRADE_PACKAGE -ErrorAction Ignore
    $env:GLOBALUPGRADE_STATE_HOME = $previousStateHome
    if ($script:ownPackage) { Remove-Item Env:GU_PACKAGE -ErrorAction Ignore }
}

Describe 'Docs examples run' -Tag CI {
    It 'finds examples on every cmdlet page' {
        $pages = Get-ChildItem (Join-Path $env:GLOBALUPGRADE_ROOT 'docs') -Filter '*-*.md'
        $manifest = Import-PowerShellDataFile $env:GLOBALUPGRADE_MODULE
        foreach ($cmdlet in $manifest.CmdletsToExport) { $pages.BaseName | Should -Contain $cmdlet }
        foreach ($page in $pages) { ($examples | Where-Object Page -eq $page.BaseName) | Should -Not -BeNullOrEmpty -Because "$($page.Name) has examples" }
    }

    It '<Page>: <Title>' -ForEach $examples {
        if (-not $pageSessions.ContainsKey($Page)) {
            $pageSessions[$Page] = [runspacefactory]::CreateRunspace()
            $pageSessions[$Page].Open()
        }
        $ps = [powershell]::Create()
        $ps.Runspace = $pageSessions[$Page]
        try {
            $null = $ps.AddScript("`$ErrorActionPreference = 'Stop'; Import-Module '$env:GLOBALUPGRADE_MODULE'`n$Code`n").AddCommand('Out-String')
            $null = $ps.Invoke()
            $errors = @($ps.Streams.Error | Where-Object { $_.CategoryInfo.Reason -ne 'ActionPreferenceStopException' })
            $errors | Should -BeNullOrEmpty -Because ($errors | Out-String)
            $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error | Out-String)
        }
        catch [System.Management.Automation.MethodInvocationException] {
            throw "The example failed: $($_.Exception.InnerException.Message)"
        }
        finally { $ps.Dispose() }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = $env:GLOBALUPGRADE_MODULE
    $script:moduleBase = Split-Path $manifestPath
    $script:manifest = Import-PowerShellDataFile $manifestPath
    $script:yamlDotNet16 = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll'
    if ($env:NUGET_PACKAGES) { $script:yamlDotNet16 = Join-Path $env:NUGET_PACKAGES 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll' }
}

Describe 'Module manifest and layout' -Tag CI {
    It 'is a Core-only module for PowerShell 7.4+ with explicit exports' {
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.FormatsToProcess | Should -Not -BeNullOrEmpty  # built from one file per type: Formats.Tests.ps1
        $manifest.ModuleVersion | Should -Be (Split-Path $moduleBase -Leaf)
    }

    It 'ships as laid out: cmdlets and models at the root, everything third-party under Dependencies' {
        Test-Path (Join-Path $moduleBase 'GlobalUpgrade.dll') | Should -BeTrue
        Test-Path (Join-Path $moduleBase 'en-US/GlobalUpgrade.dll-Help.xml') | Should -BeTrue
        Test-Path (Join-Path $moduleBase 'Preflight') | Should -BeTrue
        $root = Get-ChildItem $moduleBase -Filter *.dll | ForEach-Object Name
        $root | Should -Be @('GlobalUpgrade.dll', 'GlobalUpgrade.Models.dll')
        foreach ($dependency in 'GlobalUpgrade.Engine.dll', 'KubernetesClient.dll', 'YamlDotNet.dll', 'dotnet-etcd.dll', 'Renci.SshNet.dll', 'Newtonsoft.Json.dll') {
            Test-Path (Join-Path $moduleBase "Dependencies/$dependency") | Should -BeTrue -Because "$dependency loads privately"
        }
        Test-Path (Join-Path $moduleBase 'Dependencies/System.Management.Automation.dll') | Should -BeFalse
    }

    It 'exports exactly the cmdlets of the manifest, each with help and an example' {
        $module = Import-Module $manifestPath -PassThru -Force
        $commands = Get-Command -Module $module.Name
        ($commands.Name | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        foreach ($name in 'Connect-GlobalCluster', 'Get-GlobalCluster', 'Disconnect-GlobalCluster', 'Get-GlobalMachine') { $commands.Name | Should -Contain $name }
        foreach ($command in $commands) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($command.Name))" -Because "$($command.Name) has a synopsis, not the generated stub"
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because "$($command.Name) has examples"
            $command.OutputType | Should -Not -BeNullOrEmpty -Because "$($command.Name) declares [OutputType]"
        }
    }

    It 'renders each page''s lists and code blocks in Get-Help as the Markdown has them' {
        $module = Import-Module $manifestPath -PassThru -Force
        $checked = 0
        foreach ($command in Get-Command -Module $module.Name) {
            $page = Get-Content (Join-Path $env:GLOBALUPGRADE_ROOT "docs/$($command.Name).md") -Raw
            $description = ($page -split '(?m)^## ' | Where-Object { $_ -like 'DESCRIPTION*' }) -replace '^DESCRIPTION\s*', ''
            $rendered = @((Get-Help $command.Name -Full).description | ForEach-Object Text)
            # A list item of the page starts a paragraph of its own in the help, and no paragraph holds two items.
            foreach ($item in [regex]::Matches($description, '(?m)^- (.+)$')) {
                $start = $item.Groups[1].Value.Substring(0, [Math]::Min(40, $item.Groups[1].Value.Length))
                @($rendered | Where-Object { $_.StartsWith("- $start") }).Count | Should -Be 1 -Because "$($command.Name): the item '$start…' is a paragraph of its own"
                $checked++
            }
            @($rendered | Where-Object { ([regex]::Matches($_, '(?m)(^|\s)- [A-Z`]')).Count -gt 1 -and $_ -notmatch '\n' }).Count |
                Should -Be 0 -Because "$($command.Name): no help paragraph runs two list items together"
        }
        $checked | Should -BeGreaterThan 20 -Because 'the pages have lists in their descriptions'
    }

    It 'uses approved verbs only' {
        Import-Module $manifestPath -Force
        $approved = (Get-Verb).Verb
        foreach ($command in Get-Command -Module GlobalUpgrade) { $approved | Should -Contain $command.Verb }
    }

    It 'carries -WhatIf and -Confirm on every command that changes a cluster or a node' {
        Import-Module $manifestPath -Force
        $changing = Get-Command -Module GlobalUpgrade | Where-Object Verb -in 'Install', 'Uninstall', 'Restart', 'Start', 'Invoke', 'Set', 'Remove'
        foreach ($command in $changing) {
            $command.Parameters.Keys | Should -Contain 'WhatIf' -Because "$($command.Name) changes something"
        }
    }
}

Describe 'Dependency isolation' -Tag CI {
    BeforeAll { $script:sim = Start-TestSimulator -Scenario 'healthy' -Dr }
    AfterAll { Stop-TestSimulator $script:sim }

    It 'imports after another YamlDotNet version is loaded and still works' {
        Test-Path $yamlDotNet16 | Should -BeTrue -Because 'build.ps1 Bootstrap restores YamlDotNet 16.3.0 for this test'
        $script = @"
`$ErrorActionPreference = 'Stop'
`$other = [Reflection.Assembly]::LoadFrom('$yamlDotNet16')
Import-Module '$manifestPath'
`$env:KUBECONFIG = '$($sim.Kubeconfig)'
Connect-GlobalCluster -Context primary -Role Primary | Out-Null
`$machines = @(Get-GlobalMachine)
`$private = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' -and `$_ -ne `$other }
'session-yaml=' + `$other.GetName().Version
'module-yaml=' + (`$private | ForEach-Object { `$_.GetName().Version }) -join ','
'module-context=' + [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$private[0]).Name
'machines=' + `$machines.Count
"@
        $run = Invoke-ChildPwsh -Script $script
        $run.Error | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match 'session-yaml=16\.'
        $run.Output | Should -Match 'module-yaml=18\.'
        $run.Output | Should -Match 'module-context=GlobalUpgrade\.Dependencies'
        $run.Output | Should -Match 'machines=[1-9]'
    }
}

Describe 'Package' -Tag CI {
    It 'publishes to a local folder repository, installs with Install-PSResource and imports by name' {
        $repo = Join-Path $TestDrive 'repo'
        $home2 = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $repo, (Join-Path $home2 '.local/share'), (Join-Path $home2 '.config') | Out-Null
        # A child pwsh with its own HOME, so registering and installing leave the real user profile alone.
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name gu-test -Uri '$repo' -Trusted
Publish-PSResource -Path '$moduleBase' -Repository gu-test -SkipDependenciesCheck
(Get-ChildItem '$repo' -Filter *.nupkg).Name
Install-PSResource -Name GlobalUpgrade -Repository gu-test -Scope CurrentUser -TrustRepository
Import-Module GlobalUpgrade
`$m = Get-Module GlobalUpgrade
'imported=' + `$m.Version + ' from ' + `$m.ModuleBase
'commands=' + (Get-Command -Module GlobalUpgrade).Count
"@
        $run = Invoke-ChildPwsh -Script $script -Environment @{ HOME = $home2; PSModulePath = '' }
        $run.Error | Should -BeNullOrEmpty
        $run.Output | Should -Match 'GlobalUpgrade\.\d+\.\d+\.\d+\.nupkg'
        $run.Output | Should -Match "imported=$($manifest.ModuleVersion) from $([regex]::Escape($home2))"
        $run.Output | Should -Match "commands=$($manifest.CmdletsToExport.Count)"
    }
}

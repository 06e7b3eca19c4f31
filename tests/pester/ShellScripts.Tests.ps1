# Every shell script the project ships passes shellcheck (Debian package shellcheck): the node-side scripts the engine
# embeds (src/GlobalUpgrade.Engine/Remote/Scripts), the stand-in package the rehearsal ships, CI's entry point — found
# by name, so a new script is covered without a change here. CI must have shellcheck (build.ps1 Bootstrap installs it);
# elsewhere a missing shellcheck skips these tests with the reason.

BeforeDiscovery {
    $root = $env:GLOBALUPGRADE_ROOT
    $moduleBase = Split-Path $env:GLOBALUPGRADE_MODULE
    # The repository's scripts (build output and tool folders aside), then what the built module holds.
    $inRepository = Get-ChildItem $root -Recurse -File -Filter *.sh |
        Where-Object { [IO.Path]::GetRelativePath($root, $_.FullName) -notmatch '(^|/)(bin|obj|out|node_modules|\.git)/' }
    $inModule = if (Test-Path $moduleBase) { Get-ChildItem $moduleBase -Recurse -File -Filter *.sh } else { @() }
    $script:scripts = @(@($inRepository) + @($inModule) + @(Get-Item (Join-Path $root '.ci/run')) | ForEach-Object {
            @{ Path = $_.FullName; Name = if ($_.FullName.StartsWith($moduleBase)) { 'module: ' + [IO.Path]::GetRelativePath($moduleBase, $_.FullName) } else { [IO.Path]::GetRelativePath($root, $_.FullName) } }
        })
}

Describe 'Shipped shell scripts' -Tag CI, ShellScripts {
    BeforeAll {
        $script:shellcheck = Get-Command shellcheck -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    }

    It 'are found, the node-side scripts among them' {
        $names = $scripts.Name
        foreach ($file in 'run-folder.sh', 'detached-wrapper.sh', 'mask.sh', 'log-pack.sh') {
            $names | Should -Contain "src/GlobalUpgrade.Engine/Remote/Scripts/$file"
        }
        $names | Should -Contain 'tests/fixtures/package/upgrade.sh'
    }

    It 'pass shellcheck: <Name>' -ForEach $scripts {
        if (-not $shellcheck) {
            if ($env:CI -eq 'true') { throw 'shellcheck is not installed: CI must check every shipped shell script (build.ps1 -Task Bootstrap installs the Debian package shellcheck).' }
            Set-ItResult -Skipped -Because 'shellcheck is not installed (Debian: apt-get install shellcheck)'
            return
        }
        # Every finding, style included, fails; a deliberate exception is a '# shellcheck disable=' with its reason.
        $findings = & $shellcheck.Source --norc --format=gcc --severity=style $Path 2>&1
        $code = $LASTEXITCODE
        ($findings -join "`n") | Should -BeNullOrEmpty
        $code | Should -Be 0
    }
}

# docs/reliability.md states how many fault and bad-input cases the suites hold, by class and by cmdlet; those figures
# come from tests/pester/Measure-Reliability.ps1, and this test holds the page to what that command prints today.

Describe 'docs/reliability.md' -Tag CI {
    BeforeAll {
        $pwsh = $env:GLOBALUPGRADE_PWSH -split [IO.Path]::PathSeparator
        $printed = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-Reliability.ps1') -PesterPath $env:GLOBALUPGRADE_PESTER
        $LASTEXITCODE | Should -Be 0 -Because ($printed -join "`n")
        # The command's tables: 'Title (N cases)' then '  Name   N' rows.
        $script:measured = @{}
        $title = $null
        foreach ($line in $printed) {
            if ($line -match '^(?<title>.+?) \((?<n>\d+) cases\)$') { $title = $Matches.title; $measured[$title] = @{ Total = [int]$Matches.n; Rows = @{} } }
            elseif ($title -and $line -match '^\s+(?<name>\S+)\s+(?<n>\d+)$') { $measured[$title].Rows[$Matches.name] = [int]$Matches.n }
        }
        $script:page = Get-Content (Join-Path $env:GLOBALUPGRADE_ROOT 'docs/reliability.md') -Raw
        function Get-PageSection([string] $Heading) { ($page -split '(?m)^## ' | Where-Object { $_.StartsWith($Heading) }) }
        function Get-PageRows([string] $Section) {
            $rows = @{}
            foreach ($m in [regex]::Matches($Section, '(?m)^\| (?<name>\w+) \| (?<n>\d+) \|')) { $rows[$m.Groups['name'].Value] = [int]$m.Groups['n'].Value }
            $rows
        }
    }

    It 'states the fault cases the suite holds, by class' {
        $section = Get-PageSection 'Faults (Faults.Tests.ps1)'
        $section | Should -Match "^Faults \(Faults.Tests.ps1\): $($measured['Faults by class'].Total) cases"
        $rows = Get-PageRows $section
        $rows.Count | Should -Be $measured['Faults by class'].Rows.Count
        foreach ($class in $measured['Faults by class'].Rows.Keys) { $rows[$class] | Should -Be $measured['Faults by class'].Rows[$class] -Because "the $class row" }
    }

    It 'states the bad-input cases the suite holds, by class and by cmdlet' {
        $section = Get-PageSection 'Bad inputs (BadInputs.Tests.ps1)'
        $section | Should -Match "^Bad inputs \(BadInputs.Tests.ps1\): $($measured['Bad inputs by class'].Total) cases"
        $rows = Get-PageRows $section
        foreach ($class in $measured['Bad inputs by class'].Rows.Keys) { $rows[$class] | Should -Be $measured['Bad inputs by class'].Rows[$class] -Because "the $class row" }
        $byCmdlet = ($section -split 'By cmdlet', 2)[1]
        foreach ($cmdlet in $measured['Bad inputs by cmdlet'].Rows.Keys) {
            $byCmdlet | Should -Match "$cmdlet $($measured['Bad inputs by cmdlet'].Rows[$cmdlet])\b" -Because "the count of $cmdlet"
        }
    }
}

<#
.SYNOPSIS
    Prints the reliability figures of docs/reliability.md: the fault cases by class (Faults.Tests.ps1) and the bad-input
    cases by class and by cmdlet (BadInputs.Tests.ps1).
.DESCRIPTION
    Counts come from Pester's discovery of the two suites (nothing runs), so they are the cases the suites really hold:
    each test's name starts with its class in brackets ('[NoFalseGreen] ...'), and BadInputs groups its cases in one
    Context per cmdlet. Needs Pester 5 (build.ps1 restores it; pass its path with -PesterPath if it is not loaded).
.EXAMPLE
    dotnet pwsh tests/pester/Measure-Reliability.ps1
#>
param([string] $PesterPath = (Get-ChildItem (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/pester/5.*/tools/Pester.psd1') -ErrorAction Ignore | Select-Object -Last 1).FullName)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module Pester | Where-Object Version -GE '5.0')) { Import-Module $PesterPath }

function Get-DiscoveredTest([string] $File) {
    $c = New-PesterConfiguration
    $c.Run.Path = Join-Path $PSScriptRoot $File
    $c.Run.SkipRun = $true
    $c.Run.PassThru = $true
    $c.Output.Verbosity = 'None'
    (Invoke-Pester -Configuration $c).Tests
}

# Discovery does not expand names: '[<Class>] ...' takes the class from the case's data.
function Get-Class($test) {
    if ($test.Name -match '^\[<Class>\]') { $test.Data.Class }
    elseif ($test.Name -match '^\[(\w+)\]') { $Matches[1] }
    else { '(unclassed)' }
}

function Write-Table([string] $Title, $Tests, [scriptblock] $Key) {
    $groups = @($Tests | Group-Object $Key | Sort-Object Name)
    "$Title ($(@($Tests).Count) cases)"
    foreach ($g in $groups) { '  {0,-32} {1,4}' -f $g.Name, $g.Count }
    ''
}

$commit = & git -C $PSScriptRoot rev-parse --short HEAD 2>$null
"Measured $([DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm')) UTC at commit $commit (counts of cases: the load does not change them)"
''
$faults = @(Get-DiscoveredTest 'Faults.Tests.ps1' | Where-Object { (Get-Class $_) -ne '(unclassed)' })
$bad = @(Get-DiscoveredTest 'BadInputs.Tests.ps1' | Where-Object { (Get-Class $_) -ne '(unclassed)' })
Write-Table 'Faults by class' $faults { Get-Class $_ }
Write-Table 'Bad inputs by class' $bad { Get-Class $_ }
Write-Table 'Bad inputs by cmdlet' $bad { $_.Block.Data.Cmdlet }

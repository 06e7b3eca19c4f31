<#
.SYNOPSIS
    Runs every tests/bench/*.Bench.ps1 and collects their results (called by ./build.ps1 -Task Bench).
.DESCRIPTION
    Each bench script takes -ModulePath, -Pwsh, -Keys, -Runs, -OutputPath and writes its own Markdown section to
    <OutputPath>/<name>.md; the sections are printed at the end so they can be copied into docs/performance.md.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string[]] $Pwsh,
    [int] $Keys = 200000,
    [int] $Runs = 5,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string[]] $Name,
    # Passed to the benchmarks that take it (EtcdCompare).
    [string] $KeyShape = 'ConfigMaps'
)
$ErrorActionPreference = 'Stop'
$null = New-Item -ItemType Directory -Force $OutputPath
$scripts = Get-ChildItem $PSScriptRoot -Filter *.Bench.ps1 | Where-Object { -not $Name -or $_.BaseName -replace '\.Bench$' -in $Name }
foreach ($script in $scripts) {
    Write-Host "== $($script.BaseName)" -ForegroundColor Cyan
    $shape = if ((Get-Command $script.FullName).Parameters.ContainsKey('KeyShape')) { @{ KeyShape = $KeyShape } } else { @{} }
    & $script.FullName -ModulePath $ModulePath -Pwsh $Pwsh -Keys $Keys -Runs $Runs -OutputPath $OutputPath @shape
}
foreach ($section in Get-ChildItem $OutputPath -Filter *.md) {
    Get-Content $section.FullName -Raw | Write-Host
}

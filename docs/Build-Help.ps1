<#
.SYNOPSIS
    Turns the docs/<Cmdlet>.md pages into MAML (en-US/GlobalUpgrade.dll-Help.xml), so Get-Help works offline.
.DESCRIPTION
    Prose (synopsis, description, parameter descriptions, examples, notes) comes from the Markdown; syntax, types,
    positions and pipeline input come from the built cmdlets themselves, so the help cannot drift from the code.
    Page layout: '# Verb-Noun', then '## SYNOPSIS', '## DESCRIPTION', '## EXAMPLES' with '### Example N: title'
    and a ```powershell block, '## PARAMETERS' with '### -Name', '## OUTPUTS', '## NOTES', '## RELATED LINKS'.
#>
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'

function Split-Sections([string[]] $Lines, [string] $Prefix) {
    $sections = [ordered]@{}
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match "^$Prefix (.+)$") { $current = $Matches[1].Trim(); $sections[$current] = [Collections.Generic.List[string]]::new(); continue }
        if ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

function Get-Paragraphs([string[]] $Lines) {
    # Markdown paragraphs become help paragraphs (their lines joined); each list item is a paragraph of its own, so
    # Get-Help shows a list as a list; a fenced block keeps its lines; <!-- --> comments (the example declarations
    # that tests/pester/DocsExamples.Tests.ps1 checks) are not help text.
    if (-not $Lines) { return @() }
    $text = ($Lines -join "`n") -replace '(?s)<!--.*?-->', ''
    $paragraphs = [Collections.Generic.List[string]]::new()
    $current = [Collections.Generic.List[string]]::new()
    $fence = $null
    function Complete([string] $Separator) {
        if ($current.Count) { $paragraphs.Add(($current -join $Separator).Trim()) }
        $current.Clear()
    }
    foreach ($line in $text -split "`n") {
        if ($line -match '^```') {
            if ($null -eq $fence) { Complete ' '; $fence = $true } else { Complete "`n"; $fence = $null }
            continue
        }
        if ($fence) { $current.Add($line); continue }
        if (-not $line.Trim()) { Complete ' '; continue }
        if ($line -match '^\s*([-*]|\d+\.)\s+') { Complete ' ' }
        $current.Add($line.Trim())
    }
    Complete $(if ($fence) { "`n" } else { ' ' })
    @($paragraphs | Where-Object { $_ })
}

function Add-Para([Xml.XmlWriter] $W, [string[]] $Paragraphs) {
    $W.WriteStartElement('maml', 'description', $maml)
    foreach ($p in $Paragraphs) { $W.WriteElementString('maml', 'para', $maml, $p) }
    $W.WriteEndElement()
}

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$moduleManifest = Join-Path (Split-Path (Split-Path $OutputPath)) 'GlobalUpgrade.psd1'
$module = Import-Module $moduleManifest -PassThru -Force
try {
    $settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
    $null = New-Item -ItemType Directory -Force (Split-Path $OutputPath)
    $w = [Xml.XmlWriter]::Create($OutputPath, $settings)
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        $page = Join-Path $DocsPath "$($cmd.Name).md"
        if (-not (Test-Path $page)) { throw "docs/$($cmd.Name).md is missing: every cmdlet needs a help page." }
        $top = Split-Sections (Get-Content $page) '##'
        $parameterDocs = Split-Sections $top['PARAMETERS'] '###'
        $exampleDocs = Split-Sections $top['EXAMPLES'] '###'

        $w.WriteStartElement('command', 'command', $command)
        $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
        $w.WriteStartElement('command', 'details', $command)
        $w.WriteElementString('command', 'name', $command, $cmd.Name)
        Add-Para $w (Get-Paragraphs $top['SYNOPSIS'])
        $w.WriteElementString('command', 'verb', $command, $cmd.Verb)
        $w.WriteElementString('command', 'noun', $command, $cmd.Noun)
        $w.WriteEndElement()
        Add-Para $w (Get-Paragraphs $top['DESCRIPTION'])

        $w.WriteStartElement('command', 'syntax', $command)
        foreach ($set in $cmd.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $command)
            $w.WriteElementString('maml', 'name', $maml, $cmd.Name)
            foreach ($p in $set.Parameters | Where-Object Name -NotIn $common) {
                $w.WriteStartElement('command', 'parameter', $command)
                $w.WriteAttributeString('required', "$($p.IsMandatory)".ToLower())
                $w.WriteAttributeString('position', $(if ($p.Position -ge 0) { "$($p.Position)" } else { 'named' }))
                $w.WriteElementString('maml', 'name', $maml, $p.Name)
                if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                    $w.WriteElementString('command', 'parameterValue', $command, $p.ParameterType.Name)
                }
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'parameters', $command)
        foreach ($p in $cmd.Parameters.Values | Where-Object Name -NotIn $common) {
            $doc = $parameterDocs["-$($p.Name)"]
            if (-not $doc) { throw "docs/$($cmd.Name).md does not describe parameter -$($p.Name)." }
            $attribute = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
            $pipeline = @(if ($attribute.ValueFromPipeline) { 'True (ByValue)' }; if ($attribute.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' })
            $w.WriteStartElement('command', 'parameter', $command)
            $w.WriteAttributeString('required', "$($attribute.Mandatory)".ToLower())
            $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { $pipeline -join ', ' } else { 'False' }))
            $w.WriteAttributeString('position', $(if ($attribute.Position -ge 0) { "$($attribute.Position)" } else { 'named' }))
            $w.WriteElementString('maml', 'name', $maml, $p.Name)
            Add-Para $w (Get-Paragraphs $doc)
            $w.WriteStartElement('command', 'parameterValue', $command)
            $w.WriteAttributeString('required', 'true')
            $w.WriteString($p.ParameterType.Name)
            $w.WriteEndElement()
            $w.WriteStartElement('dev', 'type', $dev)
            $w.WriteElementString('maml', 'name', $maml, $p.ParameterType.FullName)
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'returnValues', $command)
        foreach ($type in $cmd.OutputType) {
            $w.WriteStartElement('command', 'returnValue', $command)
            $w.WriteStartElement('dev', 'type', $dev)
            $w.WriteElementString('maml', 'name', $maml, $type.Name)
            $w.WriteEndElement()
            Add-Para $w (Get-Paragraphs $top['OUTPUTS'])
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('maml', 'alertSet', $maml)
        $w.WriteStartElement('maml', 'alert', $maml)
        foreach ($para in Get-Paragraphs $top['NOTES']) { $w.WriteElementString('maml', 'para', $maml, $para) }
        $w.WriteEndElement()
        $w.WriteEndElement()

        if ($exampleDocs.Count -eq 0) { throw "docs/$($cmd.Name).md has no example." }
        $w.WriteStartElement('command', 'examples', $command)
        foreach ($title in $exampleDocs.Keys) {
            $text = $exampleDocs[$title] -join "`n"
            if ($text -notmatch '(?s)```powershell\n(.*?)\n```(.*)') { throw "docs/$($cmd.Name).md example '$title' has no powershell code block." }
            $code, $remarks = $Matches[1], $Matches[2]
            $w.WriteStartElement('command', 'example', $command)
            $w.WriteElementString('maml', 'title', $maml, "-------- $title --------")
            $w.WriteElementString('dev', 'code', $dev, $code)
            $w.WriteStartElement('dev', 'remarks', $dev)
            foreach ($para in Get-Paragraphs ($remarks -split "`n")) { $w.WriteElementString('maml', 'para', $maml, $para) }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $command)
        foreach ($link in ($top['RELATED LINKS'] | Where-Object { $_ -match '\[(.+?)\]' })) {
            $w.WriteStartElement('maml', 'navigationLink', $maml)
            $w.WriteElementString('maml', 'linkText', $maml, ($link -replace '^\s*[-*]\s*', '' -replace '\[(.+?)\]\(.*?\)', '$1').Trim())
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
    $w.Dispose()
}
finally {
    Remove-Module $module.Name -Force -ErrorAction Ignore
}

"""Case files: one person's dossier as a folder a recipient can check without Sabt.

`content` turns what an actor may see into plain data (pure), `render` writes it as HTML, PDF
and VERIFY.md, `seal` writes and checks `manifest.sha256` and its signature. The service
`ws.dossiers` (sabt.service.dossiers) gathers the data through the policy and writes the folder;
docs/case-files.md describes the package.
"""

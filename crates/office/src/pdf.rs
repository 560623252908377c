//! PDF from the .docx through LibreOffice headless: the docx stays the one master layout, and
//! LibreOffice embeds the CJK fonts. Servers that publish PDFs install `libreoffice-calc`/`-writer`.

use std::process::Command;

use crate::OfficeError;

/// Converts a .docx to PDF; `Err` says in Chinese when LibreOffice is missing or fails.
pub fn docx_to_pdf(docx: &[u8]) -> Result<Vec<u8>, OfficeError> {
    let err = |m: String| OfficeError::Write(m);
    let dir = std::env::temp_dir().join(format!("nengji-pdf-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).map_err(|e| err(format!("无法创建临时目录：{e}")))?;
    let result = (|| {
        let input = dir.join("bulletin.docx");
        std::fs::write(&input, docx).map_err(|e| err(format!("无法写入临时文件：{e}")))?;
        // A private profile per run: concurrent conversions must not share LibreOffice's lock.
        let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
        let out = Command::new("soffice")
            .args([profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(&input)
            .output()
            .map_err(|e| err(format!("生成 PDF 需要 LibreOffice（soffice），未能启动：{e}")))?;
        let pdf = dir.join("bulletin.pdf");
        if !out.status.success() || !pdf.exists() {
            return Err(err(format!("LibreOffice 转换 PDF 失败：{}", String::from_utf8_lossy(&out.stderr).trim())));
        }
        std::fs::read(&pdf).map_err(|e| err(format!("无法读取生成的 PDF：{e}")))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn unique() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

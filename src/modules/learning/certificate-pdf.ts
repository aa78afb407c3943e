// The certificate of completion as a one-page PDF (A4 landscape), drawn with pdfkit's
// built-in fonts so nothing needs to be installed on the server.

export interface CertificateContent {
  recipientName: string;
  courseTitle: string;
  issuedAt: Date;
  code: string;
  verifyUrl: string;
  issuer: string;
  /** the brand colour of the frame and the issuer's name (default: a calm blue) */
  color?: string;
  /** the business's time zone: the day of issue as the business sees it */
  timeZone?: string;
}

export function formatLongDate(d: Date, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(d);
}

export async function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  // Loaded on the first certificate, not at start: pdfkit and its font machinery are the
  // heaviest package the server imports (~0.4 s of a start's CPU).
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 0,
      info: { Title: `Certificate of completion: ${c.courseTitle}`, Author: c.issuer, Subject: c.recipientName, Creator: c.issuer },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const w = doc.page.width;
    const h = doc.page.height;
    const accent = c.color ?? '#0b5cad';
    doc.rect(24, 24, w - 48, h - 48).lineWidth(3).strokeColor(accent).stroke();
    doc.rect(34, 34, w - 68, h - 68).lineWidth(0.8).strokeColor(accent, 0.45).stroke();

    const center = (text: string, y: number, font: string, size: number, color = '#1b1f24') =>
      doc.font(font).fontSize(size).fillColor(color).text(text, 60, y, { width: w - 120, align: 'center' });

    center(c.issuer.toUpperCase(), 80, 'Helvetica-Bold', 14, accent);
    center('Certificate of Completion', 120, 'Times-Bold', 40);
    center('This certifies that', 200, 'Helvetica', 16, '#57606a');
    center(c.recipientName, 232, 'Times-BoldItalic', 36);
    doc.moveTo(w / 2 - 200, 285).lineTo(w / 2 + 200, 285).lineWidth(0.8).strokeColor('#57606a').stroke();
    center('has successfully completed the course', 300, 'Helvetica', 16, '#57606a');
    center(c.courseTitle, 332, 'Helvetica-Bold', 26);
    center(`Issued on ${formatLongDate(c.issuedAt, c.timeZone)}`, 410, 'Helvetica', 14);
    center(`Certificate ${c.code}`, h - 110, 'Helvetica', 10, '#57606a');
    center(`Verify at ${c.verifyUrl}`, h - 94, 'Helvetica', 10, accent);
    doc.end();
  });
}

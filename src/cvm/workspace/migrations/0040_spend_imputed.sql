-- A repeat buyer whose repeat orders net to $0 or less (free replacements, refunds) has no
-- usable mean spend: CLV runs give them the spend model's population mean and flag it here.
ALTER TABLE scores ADD COLUMN IF NOT EXISTS spend_imputed BOOLEAN;

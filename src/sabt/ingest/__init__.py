"""Reading victim lists (CSV, XLSX, JSON) into records with canonical fields."""

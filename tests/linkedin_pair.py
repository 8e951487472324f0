"""The LinkedIn privacy policy pair the digest tests use: 2024-08-01 → 2024-09-19, the version that
started training AI on members' data.  Paths are under ../shared/corpus (Open Terms Archive
contributors, ODC-BY 1.0); ADDED is the sentence the new version says it in."""

BEFORE = "ota/LinkedIn/Privacy Policy/2024-08-01T18-10-11Z.md"
AFTER = "ota/LinkedIn/Privacy Policy/2024-09-19T06-10-13Z.md"
ADDED = ("We may use your personal data to improve, develop, and provide products and Services, develop and train "
         "artificial intelligence (AI) models, develop, provide, and personalize our Services, and gain insights "
         "with the help of AI, automated systems, and inferences, so that our Services can be more relevant and "
         "useful to you and others.")
